// SPDX-License-Identifier: MIT
/*
 * A control channel in the data path: an XDP program that answers text commands sent in UDP
 * datagrams to port ctl_port, so that a device without a control plane can be tuned and
 * inspected with `echo "limit 0x200" | nc -u`. Commands (one line, any case):
 *     limit N     set the packet limit (bpf_strtoul: decimal, 0x hex or 0 octal)
 *     offset N    set a signed offset (bpf_strtol, decimal)
 *     show        just report
 * The answer goes back to the sender in place of the request (XDP_TX, addresses and ports
 * swapped, the datagram resized with bpf_xdp_adjust_tail): "limit=L offset=O\n", formatted
 * with bpf_snprintf, or "error\n". Each command is also traced: bpf_printk with up to three
 * arguments is bpf_trace_printk, with more it is bpf_trace_vprintk.
 *
 * The line is copied from the packet in a bounded loop, then lower-cased and cut at its end by
 * bpf_loop with a callback; commands are recognised with bpf_strncmp. The settings are
 * ordinary global variables with initial values (.data), which user space may also read
 * and write.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define LINE_MAX 32
#define REPLY_MAX 64

__u64 limit = 1000;
__s64 offset = 100;
__u64 commands;

const volatile __u16 ctl_port = 9999;

struct line {
	char buf[LINE_MAX];
	__u32 len;
};

static __always_inline __u16 csum_fold(__u32 csum)
{
	csum = (csum & 0xffff) + (csum >> 16);
	csum = (csum & 0xffff) + (csum >> 16);
	return (__u16)~csum;
}

/* bpf_loop callback: lower-case character i; a line end (or NUL) cuts the line there. */
static long normalise_char(__u32 i, struct line *l)
{
	char c;

	if (i >= LINE_MAX)
		return 1;
	c = l->buf[i];
	if (c == '\n' || c == '\r' || c == '\0') {
		l->buf[i] = '\0';
		l->len = i;
		return 1;
	}
	if (c >= 'A' && c <= 'Z')
		l->buf[i] = c + ('a' - 'A');
	return 0;
}

/* Apply the command; 0, or a negative error for a bad command or number. */
static __always_inline long run_command(struct line *l, __be32 from, __u16 sport)
{
	long ret;

	if (bpf_strncmp(l->buf, 6, "limit ") == 0) {
		unsigned long v;
		__u64 old = limit;

		ret = bpf_strtoul(l->buf + 6, LINE_MAX - 6, 0, &v);
		if (ret < 0)
			return ret;
		limit = v;
		bpf_printk("ctl: limit %llu -> %llu", old, v);
		return 0;
	}
	if (bpf_strncmp(l->buf, 7, "offset ") == 0) {
		long v;
		__s64 old = offset;

		ret = bpf_strtol(l->buf + 7, LINE_MAX - 7, 10, &v);
		if (ret < 0)
			return ret;
		offset = v;
		bpf_printk("ctl: offset %lld -> %lld from %x:%u", old, v, bpf_ntohl(from), sport);
		return 0;
	}
	if (bpf_strncmp(l->buf, 5, "show") == 0)
		return 0;
	return -22; /* EINVAL */
}

SEC("xdp")
int xdp_ctl(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	struct line l = {};
	/* Zeroed: the copy below reads reply[0 .. rlen), and which bytes the branches above
	 * filled depends on rlen; bpfhost's verifier joins the branches (it is not path by path
	 * as Linux's is), so it can only prove the bytes initialised when all of them are. */
	char reply[REPLY_MAX] = {};
	__u8 mac[ETH_ALEN], *payload;
	__u64 args[2];
	__u32 addr, i, old_len;
	__u16 port;
	long rlen, err;
	int delta;

	if ((void *)(udp + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->ihl != 5 || ip->protocol != IPPROTO_UDP || udp->dest != bpf_htons(ctl_port))
		return XDP_PASS;
	payload = (void *)(udp + 1);
	old_len = bpf_ntohs(udp->len);
	if (old_len < sizeof(*udp))
		return XDP_DROP;
	old_len -= sizeof(*udp);
	for (i = 0; i < LINE_MAX - 1 && i < old_len; i++) {
		if ((void *)(payload + i + 1) > data_end)
			break;
		l.buf[i] = payload[i];
	}
	l.len = i;
	bpf_loop(l.len, normalise_char, &l, 0);
	__sync_fetch_and_add(&commands, 1);

	err = run_command(&l, ip->saddr, bpf_ntohs(udp->source));
	if (err) {
		bpf_printk("ctl: bad command '%s' (%ld)", l.buf, err);
		__builtin_memcpy(reply, "error\n", 7);
		rlen = 6;
	} else {
		args[0] = limit;
		args[1] = offset;
		rlen = bpf_snprintf(reply, sizeof(reply), "limit=%llu offset=%lld\n", args,
				    sizeof(args));
		if (rlen <= 0)
			return XDP_ABORTED;
		rlen--; /* without the NUL */
		if (rlen > REPLY_MAX - 1)
			rlen = REPLY_MAX - 1;
	}

	/* Turn the request into the answer: same headers, swapped, new payload. */
	delta = (int)rlen - (int)old_len;
	if (bpf_xdp_adjust_tail(ctx, delta))
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	ip = (void *)(eth + 1);
	udp = (void *)(ip + 1);
	payload = (void *)(udp + 1);
	if ((void *)(udp + 1) > data_end)
		return XDP_ABORTED;
	for (i = 0; i < REPLY_MAX - 1 && i < rlen; i++) {
		if ((void *)(payload + i + 1) > data_end)
			return XDP_ABORTED;
		payload[i] = reply[i];
	}
	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	addr = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = addr;
	ip->ttl = 64;
	ip->tot_len = bpf_htons(sizeof(*ip) + sizeof(*udp) + rlen);
	ip->check = 0;
	ip->check = csum_fold(bpf_csum_diff(NULL, 0, (__be32 *)ip, sizeof(*ip), 0));
	port = udp->source;
	udp->source = udp->dest;
	udp->dest = port;
	udp->len = bpf_htons(sizeof(*udp) + rlen);
	udp->check = 0; /* none: allowed over IPv4 */
	return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
