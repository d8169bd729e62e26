// The error vocabulary alone (no Fastify, no database), for code that runs inside Next.js
// route handlers or other bundles that must not pull in the whole service kit.
export { AppError, statusForCode, type FieldProblem } from './app-error.ts';
export { problemBody, PROBLEM_CONTENT_TYPE } from './problem-handler.ts';
