/*
 * Functions reckon never uses, made compile errors (after git's banned.h):
 * use rk_buf, snprintf and checked strtol instead.
 */
#ifndef RECKON_BANNED_H
#define RECKON_BANNED_H

#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef atoi
#define atoi(x) BANNED(atoi)

#endif
