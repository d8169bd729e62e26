'use client';
import type { ReactNode } from 'react';
import { MantineProvider, createTheme, type CSSVariablesResolver } from '@mantine/core';
import { Notifications } from '@mantine/notifications';

const theme = createTheme({
  primaryColor: 'indigo',
  defaultRadius: 'sm',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  fontFamilyMonospace: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
  // Shades dark enough for white text on filled buttons (WCAG AA, 4.5:1) in both themes.
  primaryShade: { light: 8, dark: 8 },
});

/** Secondary text with WCAG AA contrast (Mantine's default "dimmed" is about 3.3:1). */
const COLORS = [
  'gray',
  'red',
  'grape',
  'violet',
  'indigo',
  'blue',
  'cyan',
  'teal',
  'green',
  'yellow',
  'orange',
];
/**
 * Text on "light" badges, alerts and buttons: the colour's darkest shade mixed with black in
 * light mode, a pale shade mixed with white in dark mode (4.5:1 at badge size).
 */
const lightVariantText = (shade: number, mix: string) =>
  Object.fromEntries(
    COLORS.map((c) => [
      `--mantine-color-${c}-light-color`,
      `color-mix(in srgb, var(--mantine-color-${c}-${shade}) 70%, ${mix})`,
    ]),
  );

const contrast: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-placeholder': 'var(--mantine-color-gray-6)',
    ...lightVariantText(9, 'black'),
  },
  dark: {
    '--mantine-color-dimmed': 'var(--mantine-color-dark-1)',
    '--mantine-color-placeholder': 'var(--mantine-color-dark-2)',
    ...lightVariantText(2, 'white'),
  },
});

/** Mantine (the component library), its notifications, light and dark from the system. */
export function Providers({ children }: { children: ReactNode }) {
  return (
    <MantineProvider theme={theme} defaultColorScheme="auto" cssVariablesResolver={contrast}>
      {/* Bottom right: at the top, a notice covered the page header's buttons (Pause, Delete). */}
      <Notifications position="bottom-right" />
      {children}
    </MantineProvider>
  );
}
