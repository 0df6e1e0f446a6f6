import { writeFleet } from './bench/fleet/fleet.ts';
const end = Math.floor(Date.now() / 1000) + 900;
const fleet = await writeFleet('/tmp/slo-cost-bench/fleet.om', { services: 100, mapsPerService: 20, gpus: 1000, hours: 3, stepSeconds: 120 }, end);
console.log(JSON.stringify(fleet), end);
