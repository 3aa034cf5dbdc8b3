// The `storage` namespace: buckets and objects, shaped like Amazon S3's API.
import {
  arr,
  type BenchTool,
  bool,
  daysAgo,
  enm,
  extend,
  Fake,
  hashOf,
  type Input,
  int,
  obj,
  opt,
  str,
} from "./_schema.ts";

const bucket = str('Bucket name, e.g. "acme-exports".');
const objectKey = str('Object key, e.g. "exports/2025-11/customers.csv".');
const CLASSES = ["STANDARD", "STANDARD_IA", "GLACIER"];
const entry = obj({
  key: str(),
  size: int("Bytes."),
  last_modified: str(),
  storage_class: enm(CLASSES),
  etag: str(),
});

const BUCKETS = [
  { name: "acme-exports", region: "eu-central-1", created: daysAgo(900) },
  { name: "acme-backups", region: "eu-central-1", created: daysAgo(1200) },
  { name: "acme-web-assets", region: "us-east-1", created: daysAgo(700) },
  { name: "acme-logs", region: "eu-central-1", created: daysAgo(650) },
];
const KINDS = ["customers", "invoices", "events", "usage", "tickets", "audit"];

function makeObjects(): Map<string, Record<string, unknown>[]> {
  const f = new Fake(1234);
  const objects = new Map<string, Record<string, unknown>[]>();
  for (const b of BUCKETS) {
    const prefixes = b.name === "acme-exports" ? ["exports/", "reports/"] : ["daily/", "weekly/"];
    objects.set(
      b.name,
      Array.from({ length: b.name === "acme-exports" ? 140 : 30 }, (_, i) => {
        const age = f.int(1, 400);
        const prefix = prefixes[i % 5 === 4 ? 1 : 0];
        const month = daysAgo(age).slice(0, 7);
        const objKey = `${prefix}${month}/${f.pick(KINDS)}-${String(i).padStart(3, "0")}.${
          f.pick(["csv", "json.gz", "parquet"])
        }`;
        return {
          key: objKey,
          size: f.int(2, 90_000) * 1024 + f.int(0, 1023),
          last_modified: daysAgo(age, f.int(0, 23), f.int(0, 59)),
          storage_class: age > 180 ? f.pick(CLASSES.slice(1)) : "STANDARD",
          etag: `"${hashOf(objKey)}${hashOf(objKey + "e")}"`,
        };
      }).sort((a, b) => (a.key < b.key ? -1 : 1)),
    );
  }
  return objects;
}

const OBJECTS = makeObjects();

function objectsOf(name: string): Record<string, unknown>[] {
  const found = OBJECTS.get(name);
  if (!found) throw new Error(`NoSuchBucket: The specified bucket does not exist: ${name}`);
  return found;
}

function findObject(name: string, objKey: string): Record<string, unknown> {
  const found = objectsOf(name).find((o) => o.key === objKey);
  if (!found) throw new Error(`NoSuchKey: The specified key does not exist: ${objKey}`);
  return found;
}

function listObjects(input: Input): Record<string, unknown> {
  const all = objectsOf(input.bucket).filter((o) => String(o.key).startsWith(input.prefix ?? ""));
  const start = input.continuation_token ? parseInt(input.continuation_token, 36) : 0;
  const max = input.max_keys ?? 1000;
  const page = all.slice(start, start + max);
  const more = start + max < all.length;
  return {
    objects: page,
    key_count: page.length,
    is_truncated: more,
    ...(more ? { next_continuation_token: (start + max).toString(36) } : {}),
  };
}

export const storage: BenchTool[] = [
  {
    name: "storage.list_buckets",
    description: "Lists the buckets with their region.",
    input: obj({}),
    output: arr(obj({ name: str(), region: str(), created: str() })),
    handler: () => BUCKETS,
  },
  {
    name: "storage.list_objects",
    description:
      "Lists objects of a bucket in key order, optionally under a prefix. Paginated with continuation_token.",
    input: obj({
      bucket,
      prefix: opt(str('Only keys that start with this, e.g. "exports/".')),
      max_keys: opt(int("1-1000. Default 1000.", { minimum: 1, maximum: 1000 })),
      continuation_token: opt(str("next_continuation_token of the previous page.")),
    }),
    output: obj({
      objects: arr(entry),
      key_count: int(),
      is_truncated: bool("Whether there are more pages."),
      next_continuation_token: opt(str()),
    }),
    handler: listObjects,
  },
  {
    name: "storage.head_object",
    description: "Gets an object's metadata without its content.",
    input: obj({ bucket, key: objectKey }),
    output: extend(entry, {
      content_type: str(),
      metadata: { type: "object", additionalProperties: { type: "string" } },
    }),
    handler: (input) => {
      const o = findObject(input.bucket, input.key);
      const type = String(o.key).endsWith(".csv") ? "text/csv" : "application/octet-stream";
      return { ...o, content_type: type, metadata: { "exported-by": "nightly-export" } };
    },
  },
  {
    name: "storage.get_text",
    description: "Reads a text object, up to max_bytes.",
    input: obj({ bucket, key: objectKey, max_bytes: opt(int("Default 65536.", { minimum: 1 })) }),
    output: obj({ content: str(), truncated: bool() }),
    handler: (input) => {
      const o = findObject(input.bucket, input.key);
      const content = `id,name,created\n1,${hashOf(String(o.key))},${String(o.last_modified).slice(0, 10)}\n`;
      return { content: content.slice(0, input.max_bytes ?? 65536), truncated: false };
    },
  },
  {
    name: "storage.put_text",
    description: "Writes a text object, replacing any object with that key.",
    input: obj({ bucket, key: objectKey, content: str(), content_type: opt(str('Default "text/plain".')) }),
    output: obj({ etag: str(), version_id: str() }),
    handler: (
      input,
    ) => (objectsOf(input.bucket),
      { etag: `"${hashOf(input.content)}"`, version_id: hashOf(input.key + input.content) }),
  },
  {
    name: "storage.delete_objects",
    description: "Deletes up to 1000 objects.",
    input: obj({ bucket, keys: arr(str(), undefined, { minItems: 1, maxItems: 1000 }) }),
    output: obj({ deleted: arr(str()), errors: arr(obj({ key: str(), message: str() })) }),
    handler: (input) => {
      const have = new Set(objectsOf(input.bucket).map((o) => o.key));
      const keys = input.keys as string[];
      return {
        deleted: keys.filter((k) => have.has(k)),
        errors: keys.filter((k) => !have.has(k)).map((k) => ({ key: k, message: "NoSuchKey" })),
      };
    },
  },
  {
    name: "storage.copy_object",
    description: "Copies an object, within a bucket or to another one.",
    input: obj({ source_bucket: bucket, source_key: objectKey, target_bucket: bucket, target_key: objectKey }),
    output: obj({ etag: str(), last_modified: str() }),
    handler: (input) => (objectsOf(input.target_bucket), {
      etag: String(findObject(input.source_bucket, input.source_key).etag),
      last_modified: daysAgo(0, 12),
    }),
  },
  {
    name: "storage.create_signed_url",
    description: "Creates a time-limited download link for an object.",
    input: obj({
      bucket,
      key: objectKey,
      expires_in_seconds: opt(int("60-604800. Default 3600.", { minimum: 60, maximum: 604800 })),
    }),
    output: obj({ url: str(), expires_at: str() }),
    handler: (input) => {
      const o = findObject(input.bucket, input.key);
      const seconds = input.expires_in_seconds ?? 3600;
      return {
        url: `https://${input.bucket}.s3.eu-central-1.amazonaws.com/${o.key}?X-Amz-Expires=${seconds}&X-Amz-Signature=${
          hashOf(String(o.etag))
        }`,
        expires_at: new Date(Date.parse(daysAgo(0, 12)) + seconds * 1000).toISOString().replace(".000Z", "Z"),
      };
    },
  },
  {
    name: "storage.get_bucket_usage",
    description: "Gets a bucket's object count and size, by storage class.",
    input: obj({ bucket }),
    output: obj({
      object_count: int(),
      total_bytes: int(),
      by_storage_class: { type: "object", additionalProperties: { type: "integer" } },
    }),
    handler: (input) => {
      const all = objectsOf(input.bucket);
      const by: Record<string, number> = {};
      for (const o of all) by[String(o.storage_class)] = (by[String(o.storage_class)] ?? 0) + Number(o.size);
      return {
        object_count: all.length,
        total_bytes: all.reduce((s, o) => s + Number(o.size), 0),
        by_storage_class: by,
      };
    },
  },
  {
    name: "storage.set_object_tags",
    description: "Replaces an object's tags (e.g. for lifecycle rules).",
    input: obj({
      bucket,
      key: objectKey,
      tags: { type: "object", additionalProperties: { type: "string" }, description: "Tag name to value." },
    }),
    output: obj({ ok: bool(), tag_count: int() }),
    handler: (input) => (findObject(input.bucket, input.key), { ok: true, tag_count: Object.keys(input.tags).length }),
  },
];
