/*
 * Workers wait on a condition variable (no spinning) for a new job generation; worker w runs part
 * w when w < parts and the last one to finish signals the caller. Workers are started on first
 * need and live as long as the process.
 */
#include "pool.h"

#include <pthread.h>

#define MAX_WORKERS 63

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;
static int workers; /* started so far */
static unsigned long generation;
static bg_task job_task;
static void *job_ctx;
static int job_parts;
static int remaining;
static unsigned long born[MAX_WORKERS + 1]; /* the generation before each worker's first job */

static void *worker_main(void *arg) {
  const int w = (int)(long)arg;
  pthread_mutex_lock(&mu);
  unsigned long seen = born[w];
  for (;;) {
    while (generation == seen) pthread_cond_wait(&wake, &mu);
    seen = generation;
    if (w < job_parts) {
      const bg_task task = job_task;
      void *ctx = job_ctx;
      pthread_mutex_unlock(&mu);
      task(ctx, w);
      pthread_mutex_lock(&mu);
      if (--remaining == 0) pthread_cond_signal(&done);
    }
  }
  return 0;
}

int bg_pool_run(int parts, bg_task task, void *ctx) {
  if (parts > MAX_WORKERS + 1) parts = MAX_WORKERS + 1;
  pthread_mutex_lock(&mu);
  while (workers < parts - 1) {
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    /* a worker started now takes the job posted below: its first wait compares with this */
    born[workers + 1] = generation;
    const int failed = pthread_create(&t, &attr, worker_main, (void *)(long)(workers + 1));
    pthread_attr_destroy(&attr);
    if (failed) break;
    workers++;
  }
  const int ran = parts - 1 <= workers ? parts : workers + 1;
  job_task = task;
  job_ctx = ctx;
  job_parts = ran;
  remaining = ran - 1;
  generation++;
  if (ran > 1) pthread_cond_broadcast(&wake);
  pthread_mutex_unlock(&mu);
  task(ctx, 0);
  pthread_mutex_lock(&mu);
  while (remaining > 0) pthread_cond_wait(&done, &mu);
  pthread_mutex_unlock(&mu);
  for (int part = ran; part < parts; part++) task(ctx, part);
  return ran == parts ? 0 : -1;
}
