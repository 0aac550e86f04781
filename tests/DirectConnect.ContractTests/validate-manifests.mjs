// Validates Kubernetes objects against the Kubernetes OpenAPI schemas, offline, with the pinned
// npm package kubernetes-models. Reads a JSON array of objects on stdin; prints one line per
// invalid object ("Kind/name: error") and exits 1 if there was any; objects of an API group the
// package does not model (Dapr's dapr.io CRDs) are listed as "skipped Kind/name" — the C# test
// checks those fields itself.
import { readFileSync } from "node:fs";

const objects = JSON.parse(readFileSync(0, "utf8"));
let invalid = 0;
for (const object of objects) {
  const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : ["", object.apiVersion];
  const id = `${object.kind}/${object.metadata?.name}`;
  if (group.endsWith("dapr.io")) {
    console.log(`skipped ${id}`);
    continue;
  }
  const module = `kubernetes-models/${group === "" ? "" : group + "/"}${version}/${object.kind}`;
  let Model;
  try {
    Model = (await import(module))[object.kind];
  } catch (error) {
    console.log(`${id}: no model ${module} (${error.message})`);
    invalid++;
    continue;
  }
  try {
    new Model(object).validate();
    console.log(`valid ${id}`);
  } catch (error) {
    console.log(`${id}: ${error.message}`);
    invalid++;
  }
}
process.exit(invalid === 0 ? 0 : 1);
