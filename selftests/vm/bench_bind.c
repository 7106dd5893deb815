// SPDX-License-Identifier: MIT
/*
 * bench_bind: cost of the gate's bind/listen hooks, for scripts/bench.
 *
 *   bench_bind loopback|wildcard ITERATIONS [PORT]
 *
 * Runs ITERATIONS times socket() + bind() + listen() + close() on
 * 127.0.0.1:0 (loopback) or on 0.0.0.0:PORT with SO_REUSEADDR (wildcard,
 * default port 47000; needs the gate open when credgate enforces), and
 * prints "VARIANT NS_PER_OP".  One call is one round; the caller
 * interleaves rounds with the gate off and on and takes medians, because
 * TCG timing noise is far larger than the hook cost.
 * Exit status: 0 ok, 2 bad usage or a socket call failed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"

static int one_round(const struct sockaddr_in *sin, int reuse)
{
	int fd, on = 1, r = 0;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (reuse && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0)
		r = -errno;
	else if (bind(fd, (const struct sockaddr *)sin, sizeof(*sin)) < 0)
		r = -errno;
	else if (listen(fd, 1) < 0)
		r = -errno;
	close(fd);
	return r;
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	unsigned long iterations, port = 47000;
	unsigned long long start, elapsed;
	int wildcard, r;

	if (argc < 3 || argc > 4 ||
	    (strcmp(argv[1], "loopback") != 0 && strcmp(argv[1], "wildcard") != 0)) {
		fprintf(stderr, "usage: bench_bind loopback|wildcard ITERATIONS [PORT]\n");
		return EXIT_CG_ERROR;
	}
	wildcard = strcmp(argv[1], "wildcard") == 0;
	if (parse_uint(argv[2], 100000000UL, &iterations) < 0 || iterations == 0 ||
	    (argc == 4 && (parse_uint(argv[3], 65535, &port) < 0 || port == 0))) {
		fprintf(stderr, "bench_bind: bad ITERATIONS '%s' or PORT\n", argv[2]);
		return EXIT_CG_ERROR;
	}
	if (wildcard) {
		sin.sin_addr.s_addr = htonl(INADDR_ANY);
		sin.sin_port = htons((unsigned short)port);
	} else {
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	}

	/* Warm up caches and fail early (e.g. gate closed) before timing. */
	r = one_round(&sin, wildcard);
	if (r < 0) {
		fprintf(stderr, "bench_bind: %s round failed: %s\n", argv[1], strerror(-r));
		return EXIT_CG_ERROR;
	}
	start = now_ns();
	for (unsigned long i = 0; i < iterations; i++) {
		r = one_round(&sin, wildcard);
		if (r < 0) {
			fprintf(stderr, "bench_bind: %s round %lu failed: %s\n",
				argv[1], i, strerror(-r));
			return EXIT_CG_ERROR;
		}
	}
	elapsed = now_ns() - start;
	printf("%s %llu\n", argv[1], elapsed / iterations);
	return EXIT_CG_OK;
}
