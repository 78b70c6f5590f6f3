// Child processes that can be ended with everything they started: each is the leader of its own
// process group (POSIX) so one signal reaches the whole tree; on Windows `taskkill /T` walks it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/** Kills the process and every process it started. Safe to call twice or after the process ended. */
export function killTree(child: ChildProcess): void {
  if (child.pid === undefined) return;
  if (process.platform === 'win32') {
    spawnSync('taskkill', ['/pid', String(child.pid), '/T', '/F'], { stdio: 'ignore' });
    return;
  }
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}

/** `spawn` with the child leading a new process group, so that killTree reaches its descendants. */
export function spawnGroup(command: string, args: readonly string[], options: Parameters<typeof spawn>[2]): ChildProcess {
  return spawn(command, args, { ...options, detached: process.platform !== 'win32', windowsHide: true });
}
