// SPDX-License-Identifier: MIT
/*
 * A tc program that logs TCP connection attempts and resets to user space through a ring
 * buffer, without changing the traffic (always TC_ACT_OK).
 *  - A SYN (without ACK) becomes a struct conn_event reserved in the ring and filled in place
 *    (bpf_ringbuf_reserve / bpf_ringbuf_submit); when its destination port turns out to be in
 *    `quiet_ports`, the reserved record is thrown away with bpf_ringbuf_discard.
 *  - A RST is built on the stack and copied in with bpf_ringbuf_output.
 * Before logging, the program asks the ring how much unread data it holds
 * (bpf_ringbuf_query): past max_backlog bytes it stops logging and counts what it skipped,
 * so that a stalled reader cannot make the program spend time filling a full ring. Times are
 * TAI, comparable across machines.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

enum event_kind { EV_SYN = 1, EV_RST = 2 };

struct conn_event {
	__u64 ts_ns;
	__u32 saddr;   /* network byte order */
	__u32 daddr;
	__u16 sport;   /* host byte order */
	__u16 dport;
	__u8 kind;
	__u8 pad[3];
	__u32 skb_len;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u16);   /* destination port, host byte order */
	__type(value, __u8);
	__uint(max_entries, 64);
} quiet_ports SEC(".maps");

const volatile __u64 max_backlog = 32 * 1024;

__u64 skipped;   /* events not logged because the ring was backed up or full */
__u64 discarded; /* SYN records dropped for quiet ports */

static __always_inline int backed_up(void)
{
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > max_backlog) {
		__sync_fetch_and_add(&skipped, 1);
		return 1;
	}
	return 0;
}

SEC("tc")
int tc_conn_logger(struct __sk_buff *skb)
{
	struct conn_event *e;
	struct iphdr ip;
	struct tcphdr tcp;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof(ip)) || ip.protocol != IPPROTO_TCP ||
	    ip.ihl < 5)
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, ETH_HLEN + ip.ihl * 4, &tcp, sizeof(tcp)))
		return TC_ACT_OK;

	if (tcp.syn && !tcp.ack) {
		if (backed_up())
			return TC_ACT_OK;
		e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
		if (!e) {
			__sync_fetch_and_add(&skipped, 1);
			return TC_ACT_OK;
		}
		e->ts_ns = bpf_ktime_get_tai_ns();
		e->saddr = ip.saddr;
		e->daddr = ip.daddr;
		e->sport = bpf_ntohs(tcp.source);
		e->dport = bpf_ntohs(tcp.dest);
		e->kind = EV_SYN;
		e->pad[0] = e->pad[1] = e->pad[2] = 0;
		e->skb_len = skb->len;
		if (bpf_map_lookup_elem(&quiet_ports, &e->dport)) {
			bpf_ringbuf_discard(e, 0);
			__sync_fetch_and_add(&discarded, 1);
		} else {
			bpf_ringbuf_submit(e, 0);
		}
	} else if (tcp.rst) {
		struct conn_event ev;

		/* Zero the whole record, padding included: it leaves the program. */
		__builtin_memset(&ev, 0, sizeof(ev));
		ev.ts_ns = bpf_ktime_get_tai_ns();
		ev.saddr = ip.saddr;
		ev.daddr = ip.daddr;
		ev.sport = bpf_ntohs(tcp.source);
		ev.dport = bpf_ntohs(tcp.dest);
		ev.kind = EV_RST;
		ev.skb_len = skb->len;

		if (backed_up())
			return TC_ACT_OK;
		if (bpf_ringbuf_output(&events, &ev, sizeof(ev), 0))
			__sync_fetch_and_add(&skipped, 1);
	}
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
