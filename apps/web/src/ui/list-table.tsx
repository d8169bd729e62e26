'use client';
import type { ReactNode } from 'react';
import { Table, type TableProps } from '@mantine/core';
import type { ApiProblem } from './api.ts';
import { DataState } from './components.tsx';

/** What a list shows when it has no rows (see `DataState`). */
export interface EmptyState {
  emptyTitle?: string;
  emptyText?: ReactNode;
  emptyAction?: ReactNode;
}

/**
 * A list page's table: loading, error (with Try again) and empty states around it, a
 * horizontal scroll of its own on narrow screens (focusable, so it scrolls by keyboard), the
 * header cells, the rows, and what goes under it (a pager).
 */
export function ListTable({
  resource,
  empty,
  emptyTitle,
  emptyText,
  emptyAction,
  label,
  head,
  children,
  footer,
  ...tableProps
}: EmptyState & {
  /** What the rows come from (a `useResource`). */
  resource: {
    data: unknown;
    error: ApiProblem | undefined;
    loading: boolean;
    reload(): Promise<void>;
  };
  empty?: boolean;
  /** The table's accessible name. */
  label: string;
  /** The header row's cells. */
  head: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
} & Omit<TableProps, 'children' | 'aria-label' | 'resource'>) {
  return (
    <DataState
      loading={resource.loading}
      error={resource.error}
      hasData={!!resource.data}
      onRetry={resource.reload}
      empty={empty}
      emptyTitle={emptyTitle}
      emptyText={emptyText}
      emptyAction={emptyAction}
    >
      <div className="cr-table-scroll" tabIndex={0}>
        <Table aria-label={label} {...tableProps}>
          <Table.Thead>
            <Table.Tr>{head}</Table.Tr>
          </Table.Thead>
          <Table.Tbody>{children}</Table.Tbody>
        </Table>
      </div>
      {footer}
    </DataState>
  );
}
