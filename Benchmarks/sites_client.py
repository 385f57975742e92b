"""Requests the home page of every site once, in random order, on one keep-alive connection,
timing each request; prints throughput, latency percentiles, and the server's open file
descriptors and resident memory (sampled during and after the run)."""
import http.client
import os
import random
import sys
import time

port, sites, pid = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
names = ["s%05d" % i for i in range(1, sites + 1)]
random.seed(42)
random.shuffle(names)


def fds():
    return len(os.listdir("/proc/%d/fd" % pid))


def rss_mb():
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0


connection = http.client.HTTPConnection("127.0.0.1", port)
latencies, failures, peak_fds = [], 0, 0
start = time.perf_counter()
for index, name in enumerate(names):
    began = time.perf_counter()
    connection.request("GET", "/", headers={"Host": name + ".localhost"})
    response = connection.getresponse()
    response.read()
    latencies.append((time.perf_counter() - began) * 1000)
    if response.status != 200:
        failures += 1
    if index % 500 == 0:
        peak_fds = max(peak_fds, fds())
elapsed = time.perf_counter() - start
latencies.sort()


def pct(p):
    return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))]


print("   %d requests in %.1f s: %.0f req/s, %d not 200" % (len(names), elapsed, len(names) / elapsed, failures))
print("   first-hit latency: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms" % (pct(50), pct(90), pct(99), latencies[-1]))
print("   open file descriptors: peak %d, after %d; resident memory %.0f MB" % (max(peak_fds, fds()), fds(), rss_mb()))
