import type { NextConfig } from 'next';

const config: NextConfig = {
  // Workspace packages ship TypeScript sources (Node 24 runs them directly).
  transpilePackages: ['@cronium/contracts', '@cronium/db', '@cronium/crypto', '@cronium/logger'],
  serverExternalPackages: ['pg', 'pino', 'pino-pretty'],
  poweredByHeader: false,
  reactStrictMode: true,
  typescript: { tsconfigPath: './tsconfig.json' },
  webpack: (webpackConfig) => {
    // Sources import siblings with explicit `.ts` extensions.
    webpackConfig.resolve.extensionAlias = { '.js': ['.ts', '.tsx', '.js'] };
    return webpackConfig;
  },
};

export default config;
