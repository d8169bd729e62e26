'use client';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { Badge, Button, Group, SegmentedControl, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import type { LogLine } from '@cronium/contracts';
import { renderAnsi, stripAnsi } from './ansi.tsx';
import { LiveSocket, type LiveState } from './live-socket.ts';

/** A run in one of these may still write lines (its status set is in @cronium/contracts). */
const NOT_ENDED = new Set(['scheduled', 'queued', 'running', 'cancelling']);

const ROW = 20;

type Line = LogLine;

/**
 * A run's log as it is written: the stored lines, then each new one, over the live WebSocket.
 * Only the lines in view are in the page (virtualized), so a 100,000-line log scrolls freely.
 * Follow keeps the newest line in view; scrolling up pauses it.
 */
export function LiveLog(props: {
  runId: number;
  onStatus?(status: string): void;
  serverNames?: Map<number, string>;
}) {
  const lines = useRef<Line[]>([]);
  const [count, setCount] = useState(0);
  const [state, setState] = useState<LiveState>('connecting');
  /** The run has ended: its log is whole, nothing more is coming. */
  const [ended, setEnded] = useState(false);
  const [follow, setFollow] = useState(true);
  const [search, setSearch] = useState('');
  const [needle] = useDebouncedValue(search, 200);
  const [stream, setStream] = useState('all');
  const scroller = useRef<HTMLDivElement>(null);
  const lastScrollTop = useRef(0);
  const onStatus = useRef(props.onStatus);
  onStatus.current = props.onStatus;

  useEffect(() => {
    lines.current = [];
    setCount(0);
    setEnded(false);
    const socket = new LiveSocket();
    socket.onState = setState;
    let frame = 0;
    const flush = () => {
      frame = 0;
      setCount(lines.current.length);
    };
    const stop = socket.follow(props.runId, {
      afterSeq: 0,
      onLines: (batch) => {
        for (const line of batch) lines.current.push(line);
        // One render per animation frame, however many lines arrive in it.
        frame ||= requestAnimationFrame(flush);
      },
      onStatus: (s) => {
        setEnded(!NOT_ENDED.has(s.status));
        onStatus.current?.(s.status);
      },
    });
    return () => {
      cancelAnimationFrame(frame);
      stop();
      socket.close();
    };
  }, [props.runId]);

  // The lines shown: all, one stream, or those that match the search.
  const shown = useMemo(() => {
    const all = lines.current.slice(0, count);
    if (!needle && stream === 'all') return all;
    const n = needle.toLowerCase();
    return all.filter(
      (l) =>
        (stream === 'all' || l.stream === stream) &&
        (!n || stripAnsi(l.text).toLowerCase().includes(n)),
    );
  }, [count, needle, stream]);

  const virtualizer = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW,
    overscan: 20,
  });

  useEffect(() => {
    if (follow && shown.length > 0) virtualizer.scrollToIndex(shown.length - 1, { align: 'end' });
  }, [follow, shown.length, virtualizer]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const movedUp = el.scrollTop < lastScrollTop.current;
    lastScrollTop.current = el.scrollTop;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < ROW * 2;
    // Only a scroll up is the reader's. While following, lines keep arriving between a scroll
    // to the end and its scroll event, so the log has grown under it: that is no reason to stop.
    if (movedUp && !atBottom && follow) setFollow(false);
    else if (atBottom && !follow) setFollow(true);
  };

  const download = () => {
    const text = lines.current
      .map(
        (l) =>
          `${l.at} ${l.stream}${l.serverId ? ` server ${l.serverId}` : ''} ${stripAnsi(l.text)}`,
      )
      .join('\n');
    const url = URL.createObjectURL(new Blob([text + '\n'], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `run-${props.runId}.log`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1_000);
  };

  return (
    <div>
      <Group gap="xs" mb="xs" justify="space-between">
        <Group gap="xs">
          <TextInput
            aria-label="Search the log"
            placeholder="Search"
            size="xs"
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
            w={180}
          />
          <SegmentedControl
            size="xs"
            aria-label="Streams"
            data={[
              { value: 'all', label: 'All' },
              { value: 'stdout', label: 'stdout' },
              { value: 'stderr', label: 'stderr' },
              { value: 'system', label: 'system' },
            ]}
            value={stream}
            onChange={setStream}
          />
        </Group>
        <Group gap="xs">
          <Badge
            variant="dot"
            color={
              ended && state === 'open'
                ? 'gray'
                : state === 'open'
                  ? 'teal'
                  : state === 'closed'
                    ? 'gray'
                    : 'orange'
            }
            data-testid="live-state"
          >
            {state === 'open' ? (ended ? 'ended' : 'live') : state}
          </Badge>
          <Text size="xs" c="dimmed" data-testid="log-count">
            {needle || stream !== 'all' ? `${shown.length} of ${count}` : count}{' '}
            {count === 1 ? 'line' : 'lines'}
          </Text>
          <Button
            size="xs"
            variant="default"
            onClick={() => setFollow(!follow)}
            aria-pressed={follow}
          >
            {follow ? 'Pause' : 'Follow'}
          </Button>
          <Button size="xs" variant="default" onClick={download} disabled={count === 0}>
            Download
          </Button>
        </Group>
      </Group>
      <div
        ref={scroller}
        onScroll={onScroll}
        className="cr-log"
        style={{ height: 420, overflow: 'auto' }}
        role="log"
        aria-label="Run log"
        tabIndex={0}
        data-testid="run-log"
      >
        {count === 0 ? (
          <Text size="sm" p="sm" c="gray.4">
            No output yet.
          </Text>
        ) : (
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((item) => {
              const line = shown[item.index]!;
              return (
                <div
                  key={line.seq}
                  className="cr-log-line"
                  data-stream={line.stream}
                  data-seq={line.seq}
                  style={{
                    position: 'absolute',
                    top: 0,
                    left: 0,
                    right: 0,
                    transform: `translateY(${item.start}px)`,
                  }}
                >
                  <span className="cr-log-seq">{line.seq}</span>
                  {line.serverId !== null ? (
                    <span className="cr-log-seq">
                      {props.serverNames?.get(line.serverId) ?? `server ${line.serverId}`}
                    </span>
                  ) : null}
                  {renderAnsi(line.text, needle || undefined)}
                </div>
              );
            })}
          </div>
        )}
      </div>
    </div>
  );
}
