import type { ReactNode } from 'react';
import { CroniumShell } from '../../ui/app-shell.tsx';

export default function SignedInLayout({ children }: { children: ReactNode }) {
  return <CroniumShell>{children}</CroniumShell>;
}
