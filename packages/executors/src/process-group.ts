/** Sends `signal` to every process in the group led by `pgid`; false when none is left. */
export function signalProcessGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return false;
    // A member we may not signal (it changed user): the group exists, but there is nothing
    // more this process can do to it; never throw from an exit or abort handler.
    if (code === 'EPERM') return true;
    throw error;
  }
}

export function processGroupAlive(pgid: number): boolean {
  return signalProcessGroup(pgid, 0);
}
