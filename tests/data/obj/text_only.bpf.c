// SPDX-License-Identifier: MIT
/* A lone function in .text and no section name: its type must be given by the caller. */
int add_one(int *x)
{
	return *x + 1;
}
