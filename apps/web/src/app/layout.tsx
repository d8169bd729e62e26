import type { ReactNode } from 'react';
import './globals.css';

export const metadata = {
  title: 'Cronium',
  description: 'Schedule and run scripts, HTTP requests and tool actions',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
