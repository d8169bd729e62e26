'use client';
import Link from 'next/link';
import { Button } from '@mantine/core';
import type { EmptyState } from './list-table.tsx';

/**
 * What a searchable list of the user's things says when it shows none: that nothing matches
 * while a search or filter is set (clear it), else what the things are and a button to make
 * the first.
 */
export function filteredEmptyState(props: {
  filtered: boolean;
  /** One of the things: "event". */
  noun: string;
  /** What to clear: "filters", "search". */
  clear: string;
  /** What the things are, for someone who has none yet. */
  intro: string;
  newHref: string;
}): EmptyState {
  return props.filtered
    ? { emptyTitle: `No ${props.noun} matches`, emptyText: `Change or clear the ${props.clear}.` }
    : {
        emptyTitle: `No ${props.noun}s yet`,
        emptyText: props.intro,
        emptyAction: (
          <Button component={Link} href={props.newHref}>
            {`Create your first ${props.noun}`}
          </Button>
        ),
      };
}
