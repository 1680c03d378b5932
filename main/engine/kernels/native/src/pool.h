/* A pool of sleeping pthread workers; the calling thread runs part 0 of every job. */
#ifndef BIOMED_POOL_H
#define BIOMED_POOL_H

typedef void (*bg_task)(void *ctx, int part);

/* Runs task(ctx, part) for part = 0..parts-1, part 0 on the caller; returns when all are done.
 * 0, or -1 when the workers cannot be started (the caller then ran every part itself). */
int bg_pool_run(int parts, bg_task task, void *ctx);

#endif
