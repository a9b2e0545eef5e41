/* nolsan.c - linked into the test commands that run setgid: a setgid
 * process may not read its own /proc entries, which LeakSanitizer needs,
 * so under SANITIZE=address it would stop every one of them; the other
 * checks stay on.  (Unused, and harmless, in other builds.) */
const char *__asan_default_options(void);

const char *
__asan_default_options(void)
{
	return "detect_leaks=0";
}
