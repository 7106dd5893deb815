// SPDX-License-Identifier: MIT
/*
 * Load generator for credgated's Varlink socket: N clients, each on its
 * own connection, call io.credgate.Device.GetSupport back to back for a
 * fixed time.  Prints calls/s and latency percentiles.  Built and run by
 * scripts/bench.d/varlink (make bench); not part of the agent.
 *
 *   varlink_bench SOCKET CLIENTS SECONDS
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char request[] = "{\"method\":\"io.credgate.Device.GetSupport\"}";

struct worker {
	pthread_t thread;
	const char *path;
	double seconds;
	unsigned int *lat_us;	/* one per call */
	size_t n, cap;
	bool failed;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One call: send the request with its NUL, read up to the reply's NUL. */
static bool call(int fd)
{
	char buf[4096];

	if (send(fd, request, sizeof(request), MSG_NOSIGNAL) != (ssize_t)sizeof(request))
		return false;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n <= 0)
			return false;
		if (memchr(buf, '\0', (size_t)n))
			return strstr(buf, "\"error\"") == NULL;
	}
}

static void *run(void *arg)
{
	struct worker *w = arg;
	int fd = connect_to(w->path);
	double end;

	if (fd < 0) {
		w->failed = true;
		return NULL;
	}
	end = now_s() + w->seconds;
	for (;;) {
		double t0 = now_s(), t1;

		if (t0 >= end)
			break;
		if (!call(fd)) {
			w->failed = true;
			break;
		}
		t1 = now_s();
		if (w->n == w->cap) {
			size_t cap = w->cap ? w->cap * 2 : 65536;
			unsigned int *l = realloc(w->lat_us, cap * sizeof(*l));

			if (!l) {
				w->failed = true;
				break;
			}
			w->lat_us = l;
			w->cap = cap;
		}
		w->lat_us[w->n++] = (unsigned int)((t1 - t0) * 1e6);
	}
	close(fd);
	return NULL;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	struct worker *w;
	unsigned int *all;
	size_t total = 0, k = 0;
	int clients;
	double seconds, t0, elapsed;
	bool failed = false;

	if (argc != 4 || (clients = atoi(argv[2])) < 1 || (seconds = atof(argv[3])) <= 0) {
		fprintf(stderr, "usage: varlink_bench SOCKET CLIENTS SECONDS\n");
		return 2;
	}
	w = calloc((size_t)clients, sizeof(*w));
	if (!w)
		return 2;
	t0 = now_s();
	for (int i = 0; i < clients; i++) {
		w[i].path = argv[1];
		w[i].seconds = seconds;
		if (pthread_create(&w[i].thread, NULL, run, &w[i]) != 0)
			return 2;
	}
	for (int i = 0; i < clients; i++) {
		pthread_join(w[i].thread, NULL);
		total += w[i].n;
		failed |= w[i].failed;
	}
	elapsed = now_s() - t0;
	all = malloc((total ? total : 1) * sizeof(*all));
	if (!all)
		return 2;
	for (int i = 0; i < clients; i++) {
		memcpy(all + k, w[i].lat_us, w[i].n * sizeof(*all));
		k += w[i].n;
		free(w[i].lat_us);
	}
	qsort(all, total, sizeof(*all), cmp_uint);
	if (!total) {
		fprintf(stderr, "varlink_bench: no call succeeded\n");
		return 2;
	}
	printf("clients=%d calls=%zu calls_per_s=%.0f p50_us=%u p99_us=%u max_us=%u%s\n",
	       clients, total, (double)total / elapsed, all[total / 2],
	       all[(size_t)((double)total * 0.99)], all[total - 1],
	       failed ? " (some clients failed)" : "");
	free(all);
	free(w);
	return failed ? 1 : 0;
}
