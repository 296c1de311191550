// CI check: the committed generated API types must equal a fresh generation.
import { readFileSync } from "node:fs";
const [committed, fresh] = process.argv.slice(2);
if (readFileSync(committed, "utf8") !== readFileSync(fresh, "utf8")) {
  console.error(`${committed} is out of date with the gateway's OpenAPI document: run \`npm run gen:api\``);
  process.exit(1);
}
