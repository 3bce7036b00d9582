#!/usr/bin/env node
// Runs the TypeScript source through tsx, so `vidq` works from the workspace without a build.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
