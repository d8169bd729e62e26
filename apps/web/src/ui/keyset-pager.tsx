'use client';
import { useState } from 'react';
import { Button, Group } from '@mantine/core';

export interface Keyset {
  /** The `before` cursor of the page shown (undefined: the newest page). */
  before: number | undefined;
  newest: boolean;
  older(nextBefore: number): void;
  newer(): void;
}

/**
 * Keyset paging through a newest-first list (`before` = the last id seen): the cursors of the
 * pages walked, so Newer goes back one page. A new `resetKey` (other filters) starts over.
 */
export function useKeyset(resetKey: string): Keyset {
  const [cursors, setCursors] = useState<number[]>([]);
  const [lastKey, setLastKey] = useState(resetKey);
  if (resetKey !== lastKey) {
    setLastKey(resetKey);
    setCursors([]);
  }
  return {
    before: cursors.at(-1),
    newest: cursors.length === 0,
    older: (nextBefore) => setCursors((c) => [...c, nextBefore]),
    newer: () => setCursors((c) => c.slice(0, -1)),
  };
}

/** Newer and Older, for a list paged with `useKeyset`. */
export function KeysetPager({
  keyset,
  nextBefore,
}: {
  keyset: Keyset;
  nextBefore: number | null | undefined;
}) {
  return (
    <Group justify="flex-end" mt="sm" gap="xs">
      <Button size="xs" variant="default" disabled={keyset.newest} onClick={keyset.newer}>
        Newer
      </Button>
      <Button
        size="xs"
        variant="default"
        disabled={!nextBefore}
        onClick={() => nextBefore && keyset.older(nextBefore)}
      >
        Older
      </Button>
    </Group>
  );
}
