// A script's private working directory: made before its process starts, removed after it
// has ended and its output is read. Shared by both launchers (plain JavaScript so the launch
// helper can use it without TypeScript).
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Makes the directory (0700; it must not exist yet) with its files, folders and links. */
export async function makeWorkDir(plan) {
  await mkdir(plan.path, { mode: 0o700 });
  for (const dir of plan.dirs ?? []) await mkdir(join(plan.path, dir));
  for (const file of plan.files ?? [])
    await writeFile(join(plan.path, file.name), file.content, { mode: file.mode ?? 0o600 });
  for (const link of plan.links ?? []) await symlink(link.target, join(plan.path, link.name));
}

/** Removes it and everything in it; never throws. */
export async function removeWorkDir(path) {
  await rm(path, { recursive: true, force: true }).catch(() => undefined);
}
