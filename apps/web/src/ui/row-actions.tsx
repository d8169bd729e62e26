'use client';
import type { ReactNode } from 'react';
import { Button, Group, type ButtonProps } from '@mantine/core';

/** The buttons at the end of a table's row, kept on one line at the right. */
export function RowActions({ children }: { children: ReactNode }) {
  return (
    <Group gap={4} justify="flex-end" wrap="nowrap">
      {children}
    </Group>
  );
}

/**
 * One action on a table's row (Edit, Test, Delete): small and quiet beside the row's data,
 * red when it removes or disables something. Its `aria-label` names the row ("Delete ci-deploy"),
 * since every row has the same word.
 */
export function RowButton({
  danger,
  ...props
}: {
  danger?: boolean;
  onClick(): void;
  'aria-label'?: string;
  children: ReactNode;
} & Omit<ButtonProps, 'children'>) {
  return (
    <Button size="compact-sm" variant="subtle" color={danger ? 'red' : undefined} {...props} />
  );
}
