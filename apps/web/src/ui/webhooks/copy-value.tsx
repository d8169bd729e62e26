'use client';
import { Button, CopyButton } from '@mantine/core';

/** A small Copy button beside a value shown in full (a webhook's URL). */
export function CopyValue({ value, label }: { value: string; label: string }) {
  return (
    <CopyButton value={value}>
      {({ copied, copy }) => (
        <Button
          size="compact-sm"
          variant="light"
          onClick={copy}
          aria-label={label}
          style={{ flex: 'none' }}
        >
          {copied ? 'Copied' : 'Copy'}
        </Button>
      )}
    </CopyButton>
  );
}
