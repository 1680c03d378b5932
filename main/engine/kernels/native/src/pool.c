/*
 * Each worker has its own mailbox (the job and a sequence number). A worker that finished a job
 * polls its mailbox for a short while (BG_SPIN pauses, some tens of microseconds) before it sleeps
 * on the condition variable, so the products of a step, which come every few tens of
 * microseconds, reach a worker that is still awake (~0.2 us) instead of one that must be woken
 * (~25 us here). The caller likewise polls for the workers' completion before sleeping. Workers
 * are started on first need and live as long as the process; only the workers a job uses are
 * told of it, so a job never reaches a worker that is still reading an older one.
 */
#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define bg_relax() _mm_pause()
#else
#define bg_relax() ((void)0)
#endif

#define MAX_WORKERS 63
#ifndef BG_SPIN
#define BG_SPIN 2048 /* pauses: ~30-100 us, by the CPU's pause latency */
#endif

typedef struct {
  _Atomic unsigned long seq; /* one more per job posted to this worker */
  bg_task task;
  void *ctx;
  int sleeping; /* under mu */
} mailbox;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;
static int workers; /* started so far (only the caller's thread changes it, under mu) */
static mailbox boxes[MAX_WORKERS + 1];
static _Atomic int remaining;
static int caller_sleeping; /* under mu */

static void *worker_main(void *arg) {
  mailbox *box = &boxes[(int)(long)arg];
  unsigned long seen = 0;
  for (;;) {
    unsigned long seq = atomic_load_explicit(&box->seq, memory_order_acquire);
    for (int i = 0; seq == seen && i < BG_SPIN; i++) {
      bg_relax();
      seq = atomic_load_explicit(&box->seq, memory_order_acquire);
    }
    if (seq == seen) {
      pthread_mutex_lock(&mu);
      box->sleeping = 1;
      while ((seq = atomic_load_explicit(&box->seq, memory_order_acquire)) == seen) {
        pthread_cond_wait(&wake, &mu);
      }
      box->sleeping = 0;
      pthread_mutex_unlock(&mu);
    }
    seen = seq;
    box->task(box->ctx, (int)(box - boxes));
    if (atomic_fetch_sub_explicit(&remaining, 1, memory_order_acq_rel) == 1) {
      pthread_mutex_lock(&mu);
      if (caller_sleeping) pthread_cond_signal(&done);
      pthread_mutex_unlock(&mu);
    }
  }
  return 0;
}

int bg_pool_run(int parts, bg_task task, void *ctx) {
  if (parts > MAX_WORKERS + 1) parts = MAX_WORKERS + 1;
  while (workers < parts - 1) {
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    const int failed = pthread_create(&t, &attr, worker_main, (void *)(long)(workers + 1));
    pthread_attr_destroy(&attr);
    if (failed) break;
    workers++;
  }
  const int ran = parts - 1 <= workers ? parts : workers + 1;
  if (ran > 1) {
    atomic_store_explicit(&remaining, ran - 1, memory_order_relaxed);
    int asleep = 0;
    for (int w = 1; w < ran; w++) {
      boxes[w].task = task;
      boxes[w].ctx = ctx;
      atomic_fetch_add_explicit(&boxes[w].seq, 1, memory_order_release);
    }
    pthread_mutex_lock(&mu);
    for (int w = 1; w < ran; w++) asleep |= boxes[w].sleeping;
    if (asleep) pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&mu);
  }
  task(ctx, 0);
  if (ran > 1) {
    for (int i = 0; atomic_load_explicit(&remaining, memory_order_acquire) > 0 && i < BG_SPIN; i++) {
      bg_relax();
    }
    if (atomic_load_explicit(&remaining, memory_order_acquire) > 0) {
      pthread_mutex_lock(&mu);
      caller_sleeping = 1;
      while (atomic_load_explicit(&remaining, memory_order_acquire) > 0) pthread_cond_wait(&done, &mu);
      caller_sleeping = 0;
      pthread_mutex_unlock(&mu);
    }
  }
  for (int part = ran; part < parts; part++) task(ctx, part);
  return ran == parts ? 0 : -1;
}
