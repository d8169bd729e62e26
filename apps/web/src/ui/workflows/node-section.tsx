'use client';
import type { ReactNode } from 'react';
import { Title } from '@mantine/core';

/** A titled part of a node's details (its input, output or log), under the node's heading. */
export function NodeSection({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div>
      <Title order={3} size="h6" mb={4}>
        {title}
      </Title>
      {children}
    </div>
  );
}
