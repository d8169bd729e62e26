// A script's private working directory: made before its process starts, removed after it
// has ended and its output is read. Shared by both launchers (plain JavaScript so the launch
// helper can use it without TypeScript).
import { chown, lchown, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Makes the directory (0700; it must not exist yet) with its files, folders and links. With
 * `user`, everything in it is handed to that uid/gid, the directory itself last: until then
 * it belongs to this process and nobody else can reach into it.
 */
export async function makeWorkDir(plan, user) {
  await mkdir(plan.path, { mode: 0o700 });
  const made = [];
  for (const dir of plan.dirs ?? []) {
    await mkdir(join(plan.path, dir), { mode: 0o700 });
    made.push(join(plan.path, dir));
  }
  for (const file of plan.files ?? []) {
    await writeFile(join(plan.path, file.name), file.content, { mode: file.mode ?? 0o600 });
    made.push(join(plan.path, file.name));
  }
  for (const link of plan.links ?? []) {
    await symlink(link.target, join(plan.path, link.name));
    if (user) await lchown(join(plan.path, link.name), user.uid, user.gid);
  }
  if (!user) return;
  for (const path of made) await chown(path, user.uid, user.gid);
  await chown(plan.path, user.uid, user.gid);
}

/** Removes it and everything in it; never throws. */
export async function removeWorkDir(path) {
  await rm(path, { recursive: true, force: true }).catch(() => undefined);
}
