/*
 * Functions we never call, after git's banned.h: each is either unbounded
 * (strcpy, sprintf) or not thread-safe (strtok, gmtime, localtime). Include
 * last; a use becomes a compile error naming the replacement.
 */
#ifndef HEARTH_BANNED_H
#define HEARTH_BANNED_H

#define BANNED(func) sorry_##func##_is_banned_in_hearth

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef gets
#define gets(x) BANNED(gets)
#undef gmtime
#define gmtime(x) BANNED(gmtime_use_gmtime_r)
#undef localtime
#define localtime(x) BANNED(localtime_use_localtime_r)

#endif
