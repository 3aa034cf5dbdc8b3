// The `slack` namespace: channels, messages, users and files, shaped like Slack's Web API.
import { arr, type BenchTool, bool, enm, Fake, hashOf, type Input, int, obj, opt, PEOPLE, str } from "./_schema.ts";

const channelRef = str('Channel ID (e.g. "C04TRIAGE") or name with "#" (e.g. "#eng-triage").');
const ts = str('Message timestamp id, e.g. "1773136800.000100".');
const channel = obj({
  id: str(),
  name: str("Without #."),
  topic: str(),
  is_private: bool(),
  num_members: int(),
});
const message = obj({
  ts,
  user: str("User ID."),
  text: str("mrkdwn text."),
  thread_ts: opt(str("Set on replies: the parent's ts.")),
  reply_count: opt(int()),
  reactions: opt(arr(obj({ name: str(), count: int() }))),
});
const posted = obj({ ok: bool(), channel: str("Channel ID."), ts, permalink: str() });
const user = obj({
  id: str(),
  name: str("Handle."),
  real_name: str(),
  email: str(),
  title: str(),
  tz: str("IANA time zone."),
  is_bot: bool(),
});

const CHANNELS = [
  ["C04TRIAGE", "eng-triage", "Bugs that need an owner. Rotation: see pinned."],
  ["C02WEBTEAM", "web-team", "Web app team chat"],
  ["C03PLANNING", "planning", "Roadmap and planning meetings"],
  ["C05SALES", "sales", "Deals, renewals and customer escalations"],
  ["C06SUPPORT", "support", "Customer support escalations"],
  ["C01GENERAL", "general", "Company-wide announcements"],
  ["C07RELEASES", "releases", "Release notes and deploy log"],
  ["C08PLATFORM", "platform", "Infra, CI and on-call"],
  ["C09BILLING", "billing-alerts", "Failed payments and dunning alerts"],
  ["C10RANDOM", "random", "Non-work banter"],
].map(([id, name, topic], i) => ({ id, name, topic, is_private: i === 8, num_members: 6 + (i * 7) % 40 }));

const USERS = PEOPLE.map((p, i) => ({
  id: `U0${i + 1}${p.login.toUpperCase()}`,
  name: p.login,
  real_name: p.name,
  email: p.email,
  title: { web: "Software Engineer, Web", platform: "Platform Engineer", sales: "Account Executive" }[p.team] ??
    "Support Lead",
  tz: i % 3 === 0 ? "America/Sao_Paulo" : "Europe/Berlin",
  is_bot: false,
}));

const CHATTER = [
  "Deploy of web v3.8.0 finished, all green.",
  "Can someone look at the flaky checkout test?",
  "Standup notes are in the doc, please add yours.",
  "Who owns the search latency alert tonight?",
  "Reminder: planning moves to Thursday this week.",
  "Customer call went well, they want SSO next quarter.",
  "I'll be out tomorrow afternoon.",
  "Merged the fix for the date picker, please retest.",
];

function channelOf(ref: string): (typeof CHANNELS)[number] {
  const found = CHANNELS.find((c) => c.id === ref || `#${c.name}` === ref || c.name === ref);
  if (!found) throw new Error(`channel_not_found: ${ref}`);
  return found;
}

function tsFor(text: string): string {
  return `1773144000.${String(parseInt(hashOf(text), 36) % 1_000_000).padStart(6, "0")}`;
}

function postedTo(ref: string, text: string): Record<string, unknown> {
  const c = channelOf(ref);
  const at = tsFor(text);
  return {
    ok: true,
    channel: c.id,
    ts: at,
    permalink: `https://acme.slack.com/archives/${c.id}/p${at.replace(".", "")}`,
  };
}

function history(input: Input): Record<string, unknown>[] {
  const c = channelOf(input.channel);
  const f = new Fake(parseInt(hashOf(c.id), 36));
  return Array.from({ length: Math.min(input.limit ?? 20, 30) }, (_, i) => ({
    ts: `${1773144000 - i * 3600}.000${100 + i}`,
    user: f.pick(USERS).id,
    text: f.pick(CHATTER),
    ...(i % 5 === 0 ? { reply_count: f.int(1, 6), reactions: [{ name: "eyes", count: f.int(1, 4) }] } : {}),
  }));
}

export const slack: BenchTool[] = [
  {
    name: "slack.list_channels",
    description: "Lists the channels the bot can see, with topic and member count.",
    input: obj({
      include_private: opt(bool("Also list private channels the bot is in. Default false.")),
      limit: opt(int("1-200. Default 100.", { minimum: 1, maximum: 200 })),
    }),
    output: arr(channel),
    handler: (input) => CHANNELS.filter((c) => input.include_private || !c.is_private).slice(0, input.limit ?? 100),
  },
  {
    name: "slack.post_message",
    description: "Posts a message to a channel, or as a reply in a thread when thread_ts is given. Supports mrkdwn.",
    input: obj({
      channel: channelRef,
      text: str("mrkdwn text, at most 40,000 characters."),
      thread_ts: opt(str("Reply in the thread of this message.")),
      unfurl_links: opt(bool("Default true.")),
    }),
    output: posted,
    handler: (input) => postedTo(input.channel, input.text),
  },
  {
    name: "slack.update_message",
    description: "Replaces the text of a message the bot posted.",
    input: obj({ channel: channelRef, ts, text: str() }),
    output: posted,
    handler: (input) => ({ ...postedTo(input.channel, input.text), ts: input.ts }),
  },
  {
    name: "slack.get_channel_history",
    description: "Gets the latest messages of a channel, newest first.",
    input: obj({
      channel: channelRef,
      limit: opt(int("1-200. Default 20.", { minimum: 1, maximum: 200 })),
      oldest: opt(str("Only messages after this ts.")),
    }),
    output: arr(message),
    handler: history,
  },
  {
    name: "slack.add_reaction",
    description: "Adds an emoji reaction to a message.",
    input: obj({ channel: channelRef, ts, name: str('Emoji name without colons, e.g. "white_check_mark".') }),
    output: obj({ ok: bool() }),
    handler: (input) => (channelOf(input.channel), { ok: true }),
  },
  {
    name: "slack.get_user",
    description: "Gets a user's profile by user ID, handle or e-mail.",
    input: obj({ user: str('User ID ("U01ANA"), handle ("ana") or e-mail.') }),
    output: user,
    handler: (input) => {
      const found = USERS.find((u) => [u.id, u.name, u.email].includes(input.user));
      if (!found) throw new Error(`users_not_found: ${input.user}`);
      return found;
    },
  },
  {
    name: "slack.list_users",
    description: "Lists the workspace's members.",
    input: obj({ limit: opt(int("1-200. Default 100.", { minimum: 1, maximum: 200 })) }),
    output: arr(user),
    handler: (input) => USERS.slice(0, input.limit ?? 100),
  },
  {
    name: "slack.search_messages",
    description: "Searches messages in public channels. Supports in:#channel and from:@user modifiers.",
    input: obj({
      query: str(),
      count: opt(int("1-100. Default 20.", { minimum: 1, maximum: 100 })),
      sort: opt(enm(["score", "timestamp"], 'Default "score".')),
    }),
    output: obj({
      total: int(),
      matches: arr(obj({ channel: str("Channel name."), ts, user: str(), text: str(), permalink: str() })),
    }),
    handler: (input) => {
      const words = String(input.query).toLowerCase().split(/\s+/).filter((w) => !w.includes(":"));
      const matches = CHATTER.filter((t) => words.some((w) => t.toLowerCase().includes(w)))
        .slice(0, input.count ?? 20)
        .map((text, i) => ({
          channel: CHANNELS[i % 8].name,
          ts: tsFor(text),
          user: USERS[i % USERS.length].id,
          text,
          permalink: `https://acme.slack.com/archives/${CHANNELS[i % 8].id}/p${tsFor(text).replace(".", "")}`,
        }));
      return { total: matches.length, matches };
    },
  },
  {
    name: "slack.set_channel_topic",
    description: "Sets a channel's topic.",
    input: obj({ channel: channelRef, topic: str("At most 250 characters.", { maxLength: 250 }) }),
    output: obj({ ok: bool(), topic: str() }),
    handler: (input) => (channelOf(input.channel), { ok: true, topic: input.topic }),
  },
  {
    name: "slack.upload_file",
    description: "Uploads a text file (a report, a CSV, a log) to a channel.",
    input: obj({
      channel: channelRef,
      filename: str('e.g. "report.csv".'),
      content: str("The file's text."),
      title: opt(str()),
      initial_comment: opt(str("Message posted with the file.")),
    }),
    output: obj({ ok: bool(), file_id: str(), permalink: str(), size: int("Bytes.") }),
    handler: (input) => {
      channelOf(input.channel);
      const id = `F0${hashOf(input.filename + input.content).toUpperCase()}`;
      return { ok: true, file_id: id, permalink: `https://acme.slack.com/files/${id}`, size: input.content.length };
    },
  },
];
