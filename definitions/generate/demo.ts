import { JOBS } from '../src/index.js';

/** The compose demo runs the incident's cache: presized for 5,000 devices, meeting 120,000. */
export const DEMO_CACHE = 'presized-5000';
export const DEMO_JOB = `${JOBS.demo}-${DEMO_CACHE}`;
