/*
 * The floor of a tool call's round trip on this machine: two processes pass
 * one byte back and forth over two pipes, N times (argv[1], default
 * 100000), and the mean round trip is printed in microseconds.
 * Built and run by tests/bench/_floor.ts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 100000;
  int to_child[2], to_parent[2];
  char byte = 'x';
  if (n <= 0 || pipe(to_child) != 0 || pipe(to_parent) != 0) return 1;
  pid_t pid = fork();
  if (pid < 0) return 1;
  if (pid == 0) {
    for (int i = 0; i < n; i++) {
      if (read(to_child[0], &byte, 1) != 1 || write(to_parent[1], &byte, 1) != 1) return 1;
    }
    return 0;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int i = 0; i < n; i++) {
    if (write(to_child[1], &byte, 1) != 1 || read(to_parent[0], &byte, 1) != 1) return 1;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  waitpid(pid, NULL, 0);
  double us = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / n / 1000.0;
  printf("%.3f\n", us);
  return 0;
}
