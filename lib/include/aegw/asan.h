/* AEGW_ASAN is 1 in a build with AddressSanitizer (gcc says so with
 * __SANITIZE_ADDRESS__, clang with __has_feature), else undefined: the
 * one test of it, for code that must tell ASan something or keep memory
 * where it can see. */
#ifndef AEGW_ASAN_H
#define AEGW_ASAN_H

#if defined(__SANITIZE_ADDRESS__)
#define AEGW_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AEGW_ASAN 1
#endif
#endif

#endif
