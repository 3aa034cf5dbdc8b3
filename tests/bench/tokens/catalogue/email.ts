// The `email` namespace: the team mailbox's messages, threads, drafts and labels, shaped like Gmail's API.
import { arr, type BenchTool, bool, daysAgo, extend, Fake, hashOf, type Input, int, obj, opt, str } from "./_schema.ts";
import { COMPANIES } from "./crm.ts";

const messageId = str("Message ID.");
const summary = obj({
  id: str(),
  thread_id: str(),
  from: str('"Name <address>".'),
  to: arr(str()),
  subject: str(),
  snippet: str("The first ~100 characters of the body."),
  date: str("RFC 3339."),
  labels: arr(str()),
  unread: bool(),
});
const sent = obj({ id: str(), thread_id: str(), labels: arr(str()) });

const SUBJECTS = [
  "Question about our invoice",
  "SSO setup for our team",
  "Renewal quote",
  "Export is failing since Monday",
  "Can we add 20 seats?",
  "Security questionnaire",
  "Meeting next week?",
  "Bug in the CSV export",
];

function makeInbox(): Record<string, unknown>[] {
  const f = new Fake(303);
  return Array.from({ length: 30 }, (_, i) => {
    const c = f.pick(COMPANIES);
    const subject = f.pick(SUBJECTS);
    const id = `18e${hashOf(`m${i}`)}`;
    return {
      id,
      thread_id: `18e${hashOf(`t${i % 22}`)}`,
      from: `${c.name} <${f.pick(["ops", "finance", "it", "cto"])}@${c.domain}>`,
      to: ["team@acme.dev"],
      subject,
      snippet: `Hi Acme team, ${subject.toLowerCase()}: could you get back to us by Friday? Thanks`,
      date: daysAgo(Math.floor(i / 3), 8 + (i % 9), (i * 7) % 60),
      labels: i % 4 === 0 ? ["INBOX", "customers"] : ["INBOX"],
      unread: i < 9 || i % 5 === 0,
    };
  });
}

const INBOX = makeInbox();

function findMessage(id: string): Record<string, unknown> {
  const found = INBOX.find((m) => m.id === id);
  if (!found) throw new Error(`Requested entity was not found: message ${id}`);
  return found;
}

function search(input: Input): Record<string, unknown>[] {
  const terms = String(input.query ?? "").split(/\s+/).filter(Boolean);
  const matches = (m: Record<string, unknown>, term: string): boolean => {
    if (term === "is:unread") return m.unread === true;
    if (term.startsWith("from:")) return String(m.from).includes(term.slice(5));
    if (term.startsWith("label:")) return (m.labels as string[]).includes(term.slice(6));
    if (term.startsWith("newer_than:")) {
      return Date.parse(String(m.date)) > Date.parse(daysAgo(parseInt(term.slice(11)), 0));
    }
    return `${m.subject} ${m.snippet}`.toLowerCase().includes(term.toLowerCase());
  };
  return INBOX.filter((m) => terms.every((t) => matches(m, t))).slice(0, input.max_results ?? 20);
}

function sentMessage(input: Input): Record<string, unknown> {
  const id = `18f${hashOf(input.to.join(",") + input.subject)}`;
  return { id, thread_id: input.reply_to ? findMessage(input.reply_to).thread_id : id, labels: ["SENT"] };
}

const composeFields = {
  to: arr(str(), "Recipient addresses.", { minItems: 1 }),
  subject: str(),
  body: str("Plain text."),
  cc: opt(arr(str())),
  reply_to: opt(str("ID of the message this replies to; keeps the thread.")),
};

export const email: BenchTool[] = [
  {
    name: "email.search_messages",
    description:
      'Searches the team mailbox with Gmail query syntax (e.g. "is:unread from:globex.com newer_than:2d"), newest first.',
    input: obj({ query: str(), max_results: opt(int("1-500. Default 20.", { minimum: 1, maximum: 500 })) }),
    output: arr(summary),
    handler: search,
  },
  {
    name: "email.get_message",
    description: "Gets a message with its full plain-text body.",
    input: obj({ id: messageId }),
    output: extend(summary, { body: str() }),
    handler: (input) => {
      const m = findMessage(input.id);
      return { ...m, body: `${m.snippet}\n\nBest regards,\n${String(m.from).split(" <")[0]}` };
    },
  },
  {
    name: "email.get_thread",
    description: "Gets every message of a thread, oldest first.",
    input: obj({ thread_id: str() }),
    output: arr(summary),
    handler: (input) => INBOX.filter((m) => m.thread_id === input.thread_id).reverse(),
  },
  {
    name: "email.send_message",
    description: "Sends an e-mail from team@acme.dev.",
    input: obj(composeFields),
    output: sent,
    handler: sentMessage,
  },
  {
    name: "email.create_draft",
    description: "Saves an e-mail as a draft for a person to review and send.",
    input: obj(composeFields),
    output: obj({ draft_id: str(), message: sent }),
    handler: (input) => ({
      draft_id: `r-${hashOf(input.subject)}`,
      message: { ...sentMessage(input), labels: ["DRAFT"] },
    }),
  },
  {
    name: "email.list_labels",
    description: "Lists the mailbox's labels with message counts.",
    input: obj({}),
    output: arr(obj({ id: str(), name: str(), messages_total: int(), messages_unread: int() })),
    handler: () =>
      ["INBOX", "customers", "SENT", "DRAFT"].map((name) => ({
        id: name === name.toUpperCase() ? name : `Label_${hashOf(name)}`,
        name,
        messages_total: INBOX.filter((m) => (m.labels as string[]).includes(name)).length,
        messages_unread: INBOX.filter((m) => m.unread && (m.labels as string[]).includes(name)).length,
      })),
  },
  {
    name: "email.modify_labels",
    description: 'Adds or removes labels on messages; remove "UNREAD" to mark them read, "INBOX" to archive them.',
    input: obj({ ids: arr(messageId, undefined, { minItems: 1 }), add: opt(arr(str())), remove: opt(arr(str())) }),
    output: obj({ modified: int() }),
    handler: (input) => ({ modified: input.ids.map(findMessage).length }),
  },
  {
    name: "email.forward_message",
    description: "Forwards a message, with an optional note above it.",
    input: obj({ id: messageId, to: arr(str(), undefined, { minItems: 1 }), note: opt(str()) }),
    output: sent,
    handler: (input) => {
      const m = findMessage(input.id);
      return sentMessage({ to: input.to, subject: `Fwd: ${m.subject}` });
    },
  },
  {
    name: "email.list_attachments",
    description: "Lists a message's attachments.",
    input: obj({ id: messageId }),
    output: arr(obj({ attachment_id: str(), filename: str(), mime_type: str(), size: int("Bytes.") })),
    handler: (input) => {
      const m = findMessage(input.id);
      return String(m.subject).includes("Export")
        ? [{ attachment_id: `att_${hashOf(input.id)}`, filename: "error.png", mime_type: "image/png", size: 48_211 }]
        : [];
    },
  },
  {
    name: "email.get_profile",
    description: "Gets the mailbox's address and totals.",
    input: obj({}),
    output: obj({ email: str(), messages_total: int(), threads_total: int() }),
    handler: () => ({
      email: "team@acme.dev",
      messages_total: INBOX.length,
      threads_total: new Set(INBOX.map((m) => m.thread_id)).size,
    }),
  },
];
