/* SPDX-License-Identifier: Apache-2.0 */
/*
 * banned.h: libc calls that are easy to misuse, made into compile errors.
 * It is force-included into every translation unit by CMakeLists.txt.
 * Use strbuf, snprintf, strtok_r, gmtime_r and localtime_r instead.
 */
#ifndef AWSX_BANNED_H
#define AWSX_BANNED_H

/* Pull in the real declarations first so the macros below only hit callers. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef gmtime
#define gmtime(t) BANNED(gmtime)
#undef localtime
#define localtime(t) BANNED(localtime)

#endif
