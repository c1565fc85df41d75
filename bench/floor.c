/*
 * The file-side floor of status and of a no-op run (make bench): what any
 * tool must do with a migrations directory, and nothing more. It lists DIR,
 * and for every name ending in ".sql" opens, reads and closes the file and
 * takes its SHA-256 (OpenSSL, as reckon does). Prints the file count and
 * the XOR of the digests' first bytes so the work cannot be skipped.
 *
 *   floor DIR
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

static int
ends_sql(const char *s)
{
	size_t n = strlen(s);

	return n > 4 && !strcmp(s + n - 4, ".sql");
}

int
main(int argc, char **argv)
{
	static char buf[1 << 20];
	unsigned char md[EVP_MAX_MD_SIZE], x = 0;
	unsigned n = 0;
	struct dirent *de;
	DIR *d;
	int dfd;

	if (argc != 2 || !(d = opendir(argv[1]))) {
		fprintf(stderr, "usage: floor DIR\n");
		return 2;
	}
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		unsigned len = 0;
		ssize_t got;
		size_t have = 0;
		int fd;

		if (!ends_sql(de->d_name))
			continue;
		fd = openat(dfd, de->d_name, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			perror(de->d_name);
			return 1;
		}
		while ((got = read(fd, buf + have, sizeof(buf) - have)) > 0)
			have += (size_t)got;
		close(fd);
		if (got < 0 || !EVP_Digest(buf, have, md, &len, EVP_sha256(),
					   NULL)) {
			perror(de->d_name);
			return 1;
		}
		x ^= md[0];
		n++;
	}
	closedir(d);
	printf("%u files, %02x\n", n, x);
	return 0;
}
