/**
 * Returns a function that schedules `run` after whatever is running now (setImmediate), once for
 * all the calls made meanwhile: the clients of a burst taking warm connections ask for one refill,
 * not one each, and the refill's set-up never goes before the client that asked on the event loop.
 */
export function onceSoon(run: () => void): () => void {
  let scheduled = false;
  return () => {
    if (!scheduled) {
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        run();
      });
    }
  };
}
