/*
 * Each worker has its own mailbox (the job and a sequence number). A worker that finished a job
 * polls its mailbox for a short while (BG_SPIN pauses, some tens of microseconds) before it sleeps
 * on the condition variable, so the products of a step, which come every few tens of
 * microseconds, reach a worker that is still awake (~0.2 us) instead of one that must be woken
 * (~25 us here). Workers are started on first need and live as long as the process.
 *
 * The parts of a job are claimed, not assigned: the caller and every worker told of the job take
 * the next unclaimed part until none is left, and the caller waits only for parts a worker has
 * claimed. A worker still waking when the caller has run out of its own work therefore costs
 * nothing: the caller runs that part itself, so a split job is never slower than the caller
 * alone by more than one claim. A part is claimed by compare-and-swap of (job number, next part),
 * so a worker that wakes after its job ended finds another job number and claims nothing. Which
 * thread runs a part never changes its result: every part computes fixed output elements.
 */
#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

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
  int sleeping;              /* under mu */
} mailbox;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;
static int workers; /* started so far (only the caller's thread changes it, under mu) */
static mailbox boxes[MAX_WORKERS + 1];
static int caller_sleeping; /* under mu */

/* The current job's task and context: written by the caller before it publishes the job's claim
   word, and read only by a thread that has claimed one of its parts (so the job is still running). */
static bg_task job_task;
static void *job_ctx;
/* The claim word: job number (32 bits), its part count (16) and the next unclaimed part (16). */
static _Atomic uint64_t claim;
static _Atomic int finished; /* parts of the current job completed */
#define MAX_PARTS 0xFFFF

static uint64_t claim_word(uint32_t number, int parts) {
  return (uint64_t)number << 32 | (uint64_t)parts << 16;
}

/* Claims the next part of job `number`; -1 when the job has none left or has ended. */
static int claim_part(uint32_t number) {
  uint64_t c = atomic_load_explicit(&claim, memory_order_acquire);
  for (;;) {
    if ((uint32_t)(c >> 32) != number) return -1;
    const int parts = (int)(c >> 16 & MAX_PARTS), next = (int)(c & MAX_PARTS);
    if (next >= parts) return -1;
    if (atomic_compare_exchange_weak_explicit(&claim, &c, c + 1, memory_order_acq_rel,
                                              memory_order_acquire)) {
      return next;
    }
  }
}

static int claimed_parts(void) {
  return (int)(atomic_load_explicit(&claim, memory_order_acquire) >> 16 & MAX_PARTS);
}

/* Runs parts of job `number` until none is left; returns how many this thread ran. */
static int run_parts(uint32_t number, int signal_caller) {
  int ran = 0;
  for (int part; (part = claim_part(number)) >= 0; ran++) {
    job_task(job_ctx, part);
    const int all = claimed_parts(); /* the job cannot end before this part is counted */
    if (atomic_fetch_add_explicit(&finished, 1, memory_order_acq_rel) + 1 == all && signal_caller) {
      pthread_mutex_lock(&mu);
      if (caller_sleeping) pthread_cond_signal(&done);
      pthread_mutex_unlock(&mu);
    }
  }
  return ran;
}

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
    /* the job number is the claim word's current one; a late worker finds a later job's number
       (whose parts it may then help with: they are that job's, claimed the same way) or none left */
    const uint32_t number = (uint32_t)(atomic_load_explicit(&claim, memory_order_acquire) >> 32);
    run_parts(number, 1);
  }
  return 0;
}

int bg_pool_run(int parts, bg_task task, void *ctx) {
  if (parts < 1) return 0;
  while (workers < parts - 1 && workers < MAX_WORKERS) {
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    const int failed = pthread_create(&t, &attr, worker_main, (void *)(long)(workers + 1));
    pthread_attr_destroy(&attr);
    if (failed) break;
    workers++;
  }
  const int helpers = parts - 1 <= workers ? parts - 1 : workers;
  if (helpers < 1 || parts > MAX_PARTS) {
    for (int part = 0; part < parts; part++) task(ctx, part);
    return parts - 1 <= workers ? 0 : -1;
  }
  static uint32_t number;
  number++;
  job_task = task;
  job_ctx = ctx;
  atomic_store_explicit(&finished, 0, memory_order_relaxed);
  atomic_store_explicit(&claim, claim_word(number, parts), memory_order_release);
  for (int w = 1; w <= helpers; w++) atomic_fetch_add_explicit(&boxes[w].seq, 1, memory_order_release);
  int asleep = 0;
  pthread_mutex_lock(&mu);
  for (int w = 1; w <= helpers; w++) asleep |= boxes[w].sleeping;
  if (asleep) pthread_cond_broadcast(&wake);
  pthread_mutex_unlock(&mu);
  run_parts(number, 0);
  /* every part is claimed now: wait only for the ones workers are still running */
  for (int i = 0; atomic_load_explicit(&finished, memory_order_acquire) < parts && i < BG_SPIN; i++) {
    bg_relax();
  }
  if (atomic_load_explicit(&finished, memory_order_acquire) < parts) {
    pthread_mutex_lock(&mu);
    caller_sleeping = 1;
    while (atomic_load_explicit(&finished, memory_order_acquire) < parts) pthread_cond_wait(&done, &mu);
    caller_sleeping = 0;
    pthread_mutex_unlock(&mu);
  }
  return parts - 1 <= workers ? 0 : -1;
}
