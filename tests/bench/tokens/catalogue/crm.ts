// The `crm` namespace: companies, contacts, deals and activities, shaped like HubSpot's CRM API.
import {
  arr,
  type BenchTool,
  daysAgo,
  enm,
  Fake,
  hashOf,
  type Input,
  int,
  num,
  obj,
  opt,
  PEOPLE,
  str,
} from "./_schema.ts";

const NAMES = [
  "Globex",
  "Initech",
  "Umbrella Health",
  "Hooli",
  "Stark Logistics",
  "Wayne Foods",
  "Soylent Labs",
  "Tyrell Robotics",
  "Cyberdyne Systems",
  "Wonka Retail",
  "Vandelay Imports",
  "Pied Piper",
  "Massive Dynamic",
  "Aperture Science",
  "Oscorp",
  "Nakatomi Trading",
  "Gringotts Finance",
  "Dunder Mifflin Paper",
  "Prestige Worldwide",
  "Bluth Properties",
];
const INDUSTRIES = ["Software", "Healthcare", "Logistics", "Retail", "Manufacturing", "Financial services"];
const STAGES = ["appointment_scheduled", "qualified", "proposal_sent", "negotiation", "closed_won", "closed_lost"];
const OWNERS = PEOPLE.filter((p) => p.team === "sales" || p.team === "support");

/** A customer company; `billing` bills the same companies. */
export interface Company {
  id: string;
  name: string;
  domain: string;
  industry: string;
  owner_email: string;
  annual_revenue: number;
  employees: number;
  lifecycle_stage: string;
}

function makeCompanies(): Company[] {
  const f = new Fake(41);
  return NAMES.map((name, i) => ({
    id: `co_${1001 + i}`,
    name,
    domain: `${name.toLowerCase().replace(/[^a-z]+/g, "")}.com`,
    industry: f.pick(INDUSTRIES),
    owner_email: f.pick(OWNERS).email,
    annual_revenue: f.int(2, 400) * 100_000,
    employees: f.int(12, 9000),
    lifecycle_stage: f.next() < 0.8 ? "customer" : "opportunity",
  }));
}

/** The CRM's companies, also billing's customers. */
export const COMPANIES: readonly Company[] = makeCompanies();

const FIRST = ["Maria", "John", "Aiko", "Lars", "Priya", "Tom", "Fatima", "Luca", "Sofia", "Omar", "Nina", "Raj"];
const LAST = ["Schmidt", "Rossi", "Kowalski", "Nguyen", "Garcia", "Müller", "Ivanova", "Brown", "Santos", "Kim"];

function contactsOf(company: Company): Record<string, unknown>[] {
  const f = new Fake(parseInt(company.id.slice(3), 10));
  return Array.from({ length: 3 }, (_, i) => {
    const first = f.pick(FIRST);
    const last = f.pick(LAST);
    return {
      id: `ct_${company.id.slice(3)}${i}`,
      first_name: first,
      last_name: last,
      email: `${first.toLowerCase()}.${last.toLowerCase().replace("ü", "ue")}@${company.domain}`,
      job_title: ["Head of Finance", "CTO", "Operations Manager"][i],
      phone: `+49 30 ${f.int(1000000, 9999999)}`,
      company_id: company.id,
    };
  });
}

const DEALS = COMPANIES.flatMap((c, i) => {
  const f = new Fake(500 + i);
  return Array.from({ length: 1 + (i % 3) }, (_, j) => ({
    id: `dl_${2001 + i * 3 + j}`,
    name: `${c.name} - ${f.pick(["Renewal 2026", "Expansion", "Enterprise plan", "Add-on seats"])}`,
    company_id: c.id,
    stage: f.pick(STAGES),
    amount: f.int(5, 180) * 1000,
    currency: "USD",
    owner_email: c.owner_email,
    close_date: daysAgo(-f.int(-20, 90)).slice(0, 10),
  }));
});

const company = obj({
  id: str(),
  name: str(),
  domain: str(),
  industry: str(),
  owner_email: str("E-mail of the account owner (the salesperson responsible)."),
  annual_revenue: num("USD."),
  employees: int(),
  lifecycle_stage: enm(["lead", "opportunity", "customer", "churned"]),
});
const contact = obj({
  id: str(),
  first_name: str(),
  last_name: str(),
  email: str(),
  job_title: str(),
  phone: str(),
  company_id: str(),
});
const deal = obj({
  id: str(),
  name: str(),
  company_id: str(),
  stage: enm(STAGES),
  amount: num(),
  currency: str(),
  owner_email: str(),
  close_date: str('"YYYY-MM-DD".'),
});

function findCompany(id: string): Company {
  const found = COMPANIES.find((c) => c.id === id);
  if (!found) throw new Error(`Company ${id} not found`);
  return found;
}

function searchCompanies(input: Input): Company[] {
  const q = String(input.query ?? "").toLowerCase();
  return COMPANIES.filter((c) => !q || c.name.toLowerCase().includes(q) || c.domain.includes(q))
    .filter((c) => !input.owner_email || c.owner_email === input.owner_email)
    .filter((c) => !input.industry || c.industry === input.industry)
    .slice(0, input.limit ?? 10);
}

function findContact(id: string): Record<string, unknown> {
  const found = COMPANIES.flatMap(contactsOf).find((c) => c.id === id);
  if (!found) throw new Error(`Contact ${id} not found`);
  return found;
}

export const crm: BenchTool[] = [
  {
    name: "crm.search_companies",
    description: "Searches companies by name or domain, optionally filtered by owner or industry.",
    input: obj({
      query: opt(str("Part of the name or domain, case-insensitive.")),
      owner_email: opt(str()),
      industry: opt(str()),
      limit: opt(int("1-100. Default 10.", { minimum: 1, maximum: 100 })),
    }),
    output: arr(company),
    handler: searchCompanies,
  },
  {
    name: "crm.get_company",
    description: "Gets a company by ID.",
    input: obj({ company_id: str() }),
    output: company,
    handler: (input) => findCompany(input.company_id),
  },
  {
    name: "crm.search_contacts",
    description: "Searches contacts by name or e-mail, or lists a company's contacts.",
    input: obj({
      query: opt(str("Part of the name or e-mail.")),
      company_id: opt(str()),
      limit: opt(int("1-100. Default 10.", { minimum: 1, maximum: 100 })),
    }),
    output: arr(contact),
    handler: (input) => {
      const q = String(input.query ?? "").toLowerCase();
      return COMPANIES.filter((c) => !input.company_id || c.id === input.company_id).flatMap(contactsOf)
        .filter((c) => !q || `${c.first_name} ${c.last_name} ${c.email}`.toLowerCase().includes(q))
        .slice(0, input.limit ?? 10);
    },
  },
  {
    name: "crm.get_contact",
    description: "Gets a contact by ID.",
    input: obj({ contact_id: str() }),
    output: contact,
    handler: (input) => findContact(input.contact_id),
  },
  {
    name: "crm.create_contact",
    description: "Creates a contact, optionally associated with a company.",
    input: obj({
      first_name: str(),
      last_name: str(),
      email: str(),
      job_title: opt(str()),
      phone: opt(str()),
      company_id: opt(str()),
    }),
    output: contact,
    handler: (input) => ({
      job_title: "",
      phone: "",
      company_id: "",
      ...input,
      id: `ct_${parseInt(hashOf(input.email), 36) % 100_000}`,
    }),
  },
  {
    name: "crm.update_contact",
    description: "Updates a contact's properties; properties left out are unchanged.",
    input: obj({
      contact_id: str(),
      properties: obj({
        first_name: opt(str()),
        last_name: opt(str()),
        email: opt(str()),
        job_title: opt(str()),
        phone: opt(str()),
      }),
    }),
    output: contact,
    handler: (input) => ({ ...findContact(input.contact_id), ...input.properties }),
  },
  {
    name: "crm.list_deals",
    description: "Lists deals, filtered by stage, owner or company, highest amount first.",
    input: obj({
      stage: opt(enm(STAGES)),
      owner_email: opt(str()),
      company_id: opt(str()),
      limit: opt(int("1-100. Default 20.", { minimum: 1, maximum: 100 })),
    }),
    output: arr(deal),
    handler: (input) =>
      DEALS.filter((d) => !input.stage || d.stage === input.stage)
        .filter((d) => !input.owner_email || d.owner_email === input.owner_email)
        .filter((d) => !input.company_id || d.company_id === input.company_id)
        .sort((a, b) => b.amount - a.amount || (a.id < b.id ? -1 : 1))
        .slice(0, input.limit ?? 20),
  },
  {
    name: "crm.get_deal",
    description: "Gets a deal by ID.",
    input: obj({ deal_id: str() }),
    output: deal,
    handler: (input) => {
      const found = DEALS.find((d) => d.id === input.deal_id);
      if (!found) throw new Error(`Deal ${input.deal_id} not found`);
      return found;
    },
  },
  {
    name: "crm.update_deal_stage",
    description: "Moves a deal to another pipeline stage.",
    input: obj({ deal_id: str(), stage: enm(STAGES) }),
    output: deal,
    handler: (input) => {
      const found = DEALS.find((d) => d.id === input.deal_id);
      if (!found) throw new Error(`Deal ${input.deal_id} not found`);
      return { ...found, stage: input.stage };
    },
  },
  {
    name: "crm.log_activity",
    description: "Records a call, e-mail, meeting or note on a company's timeline (and optionally a contact or deal).",
    input: obj({
      type: enm(["call", "email", "meeting", "note"]),
      company_id: str(),
      subject: str(),
      body: opt(str()),
      contact_id: opt(str()),
      deal_id: opt(str()),
    }),
    output: obj({ id: str(), type: str(), company_id: str(), created_at: str() }),
    handler: (input) => ({
      id: `act_${hashOf(input.company_id + input.subject)}`,
      type: input.type,
      company_id: findCompany(input.company_id).id,
      created_at: daysAgo(0, 12),
    }),
  },
];
