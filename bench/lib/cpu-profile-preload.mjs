// Preloaded with NODE_OPTIONS="--import <this file>" (Node refuses --cpu-prof there): a service process
// (`ecom service start KIND --id N`) records a V8 CPU profile and writes it to $PROFILE_DIR/<kind>-<id>.cpuprofile
// when it exits. Any other process is left alone.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const argv = process.argv;
const at = argv.indexOf('service');
if (at > 0 && argv[at + 1] === 'start' && process.env.PROFILE_DIR) {
  const name = `${argv[at + 2]}-${argv[argv.indexOf('--id') + 1]}`;
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  session.post('Profiler.start');
  process.on('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(join(process.env.PROFILE_DIR, `${name}.${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
