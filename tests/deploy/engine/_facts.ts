// What a process inside a container finds there: which directories it can
// create a file in (the whole tree but /proc and /sys), its credentials and
// confinement (/proc/self/status), its network interfaces and IPv4 routes,
// and how /tmp and /sys are mounted. Run with `docker exec <c> deno eval`,
// as the container's user.

/** The facts, as the script below reports them. */
export interface ContainerFacts {
  writable: string[];
  uid: string;
  capEff: string;
  capBnd: string;
  noNewPrivs: string;
  seccomp: string;
  interfaces: string[];
  routes: string[];
  mounts: string[];
}

/** JavaScript for `deno eval` that prints {@linkcode ContainerFacts} as JSON. */
export const FACTS_SCRIPT = `
const writable = [];
function walk(dir) {
  let entries;
  try { entries = [...Deno.readDirSync(dir)]; } catch { return; }
  try { Deno.removeSync(Deno.makeTempFileSync({ dir })); writable.push(dir); } catch { /* not writable */ }
  for (const e of entries) {
    if (!e.isDirectory || (dir === "/" && (e.name === "proc" || e.name === "sys"))) continue;
    walk((dir === "/" ? "" : dir) + "/" + e.name);
  }
}
walk("/");
const status = Deno.readTextFileSync("/proc/self/status");
const field = (name) => new RegExp("^" + name + ":\\\\s+(.*)$", "m").exec(status)?.[1] ?? "";
console.log(JSON.stringify({
  writable,
  uid: field("Uid"),
  capEff: field("CapEff"),
  capBnd: field("CapBnd"),
  noNewPrivs: field("NoNewPrivs"),
  seccomp: field("Seccomp"),
  interfaces: Deno.networkInterfaces().map((i) => i.name).filter((n, i, all) => all.indexOf(n) === i),
  routes: Deno.readTextFileSync("/proc/net/route").trim().split("\\n").slice(1),
  mounts: Deno.readTextFileSync("/proc/self/mounts").split("\\n").filter((l) => / \\/(tmp|sys|sys\\/fs\\/cgroup\\S*|dev\\/shm|dev\\/mqueue) /.test(l)),
}));
`;
