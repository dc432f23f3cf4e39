// The isola-runtime executable's code: run the OCI runtime command line, exit with its status.
import { main } from './runtime/main.ts';

void main(process.argv.slice(2)).then((status) => {
  process.exitCode = status;
});
