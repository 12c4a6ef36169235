/* SPDX-License-Identifier: Apache-2.0 */
/* placeholder: replaced by the dispatch table */
#include <stdio.h>
int main(void) { puts("awsx"); return 0; }
