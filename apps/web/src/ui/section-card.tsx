'use client';
import type { ReactNode } from 'react';
import { Card, Text, Title, type CardProps } from '@mantine/core';

/**
 * A titled part of a detail page (a run's log, a workflow's graph): a bordered card whose
 * title is a level-2 heading, drawn as h4, or as h5 for the small cards of values set side by
 * side (a run's input and output); `description` is a dimmed line under the title.
 */
export function SectionCard({
  title,
  size = 'h4',
  description,
  children,
  ...props
}: {
  title: string;
  size?: 'h4' | 'h5';
  description?: ReactNode;
  children: ReactNode;
} & Omit<CardProps, 'children' | 'withBorder'> & { id?: string }) {
  return (
    <Card withBorder {...props}>
      <Title order={2} size={size} mb={description ? 4 : size === 'h4' ? 'sm' : 'xs'}>
        {title}
      </Title>
      {description ? (
        <Text size="xs" c="dimmed" mb="sm">
          {description}
        </Text>
      ) : null}
      {children}
    </Card>
  );
}
