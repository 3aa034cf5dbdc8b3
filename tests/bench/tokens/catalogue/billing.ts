// The `billing` namespace: customers, invoices, subscriptions, charges and refunds, shaped like Stripe's API.
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
import { COMPANIES } from "./crm.ts";

const cents = (what: string) => int(`${what}, in cents.`);
const customer = obj({
  id: str(),
  name: str(),
  email: str("Billing e-mail."),
  currency: str("ISO 4217, lower case."),
  balance: cents("Credit (negative) or amount owed (positive)"),
  delinquent: bool("Whether the latest invoice is past due."),
  created: str(),
  crm_company_id: str("The company's ID in the CRM."),
});
const invoice = obj({
  id: str(),
  number: str(),
  customer: str("Customer ID."),
  customer_name: str(),
  customer_email: str(),
  status: enm(["draft", "open", "paid", "void", "uncollectible"]),
  amount_due: cents("Amount still owed"),
  amount_paid: cents("Amount paid"),
  currency: str(),
  created: str(),
  due_date: str('"YYYY-MM-DD".'),
  hosted_invoice_url: str(),
});
const subscription = obj({
  id: str(),
  customer: str(),
  status: enm(["active", "past_due", "canceled", "trialing"]),
  plan: str(),
  quantity: int("Seats."),
  unit_amount: cents("Price per seat per month"),
  current_period_end: str(),
  cancel_at_period_end: bool(),
});

const CUSTOMERS = COMPANIES.map((c, i) => ({
  id: `cus_${hashOf(c.id).toUpperCase()}`,
  name: c.name,
  email: `billing@${c.domain}`,
  currency: "usd",
  balance: 0,
  delinquent: i % 4 === 1,
  created: daysAgo(400 + i * 13),
  crm_company_id: c.id,
}));

function makeInvoices(): Record<string, unknown>[] {
  const f = new Fake(77);
  return Array.from({ length: 48 }, (_, i) => {
    const c = f.pick(CUSTOMERS);
    const age = f.int(3, 110);
    const amount = f.int(4, 60) * 5_000 + f.pick([0, 900, 4_500]);
    const status = age > 30 && c.delinquent ? "open" : f.next() < 0.18 ? "open" : f.next() < 0.05 ? "void" : "paid";
    const number = `ACME-${String(4100 + i).padStart(5, "0")}`;
    return {
      id: `in_${hashOf(number).toUpperCase()}`,
      number,
      customer: c.id,
      customer_name: c.name,
      customer_email: c.email,
      status,
      amount_due: status === "open" ? amount : 0,
      amount_paid: status === "paid" ? amount : 0,
      currency: "usd",
      created: daysAgo(age + 30),
      due_date: daysAgo(age).slice(0, 10),
      hosted_invoice_url: `https://pay.acme.dev/i/${hashOf(number)}`,
    };
  }).sort((a, b) => (a.created < b.created ? 1 : -1));
}

const INVOICES = makeInvoices();

function findCustomer(id: string): (typeof CUSTOMERS)[number] {
  const found = CUSTOMERS.find((c) => c.id === id);
  if (!found) throw new Error(`No such customer: '${id}'`);
  return found;
}

function listInvoices(input: Input): Record<string, unknown>[] {
  const after = input.starting_after ? INVOICES.findIndex((i) => i.id === input.starting_after) + 1 : 0;
  return INVOICES.slice(after)
    .filter((i) => !input.status || i.status === input.status)
    .filter((i) => !input.customer || i.customer === input.customer)
    .filter((i) => !input.due_before || String(i.due_date) < input.due_before)
    .slice(0, input.limit ?? 10);
}

function subscriptionsOf(customerId: string): Record<string, unknown>[] {
  const f = new Fake(parseInt(hashOf(customerId), 36));
  const canceled = f.next() < 0.15;
  return [{
    id: `sub_${hashOf(customerId + "s").toUpperCase()}`,
    customer: customerId,
    status: canceled ? "canceled" : findCustomer(customerId).delinquent ? "past_due" : "active",
    plan: f.pick(["Team", "Business", "Enterprise"]),
    quantity: f.int(5, 400),
    unit_amount: f.pick([1_200, 2_900, 4_900]),
    current_period_end: daysAgo(-f.int(1, 30)),
    cancel_at_period_end: false,
  }];
}

export const billing: BenchTool[] = [
  {
    name: "billing.list_customers",
    description: "Lists customers, newest first. Paginated with starting_after.",
    input: obj({
      email: opt(str("Exact billing e-mail.")),
      limit: opt(int("1-100. Default 10.", { minimum: 1, maximum: 100 })),
      starting_after: opt(str("A customer ID: the page after it.")),
    }),
    output: arr(customer),
    handler: (input) => {
      const after = input.starting_after ? CUSTOMERS.findIndex((c) => c.id === input.starting_after) + 1 : 0;
      return CUSTOMERS.slice(after).filter((c) => !input.email || c.email === input.email).slice(0, input.limit ?? 10);
    },
  },
  {
    name: "billing.get_customer",
    description: "Gets a customer by ID.",
    input: obj({ customer: str("Customer ID.") }),
    output: customer,
    handler: (input) => findCustomer(input.customer),
  },
  {
    name: "billing.list_invoices",
    description:
      "Lists invoices, newest first, filtered by status, customer or due date. Paginated with starting_after.",
    input: obj({
      status: opt(enm(["draft", "open", "paid", "void", "uncollectible"])),
      customer: opt(str("Customer ID.")),
      due_before: opt(str('Only invoices due before this day, "YYYY-MM-DD".')),
      limit: opt(int("1-100. Default 10.", { minimum: 1, maximum: 100 })),
      starting_after: opt(str("An invoice ID: the page after it.")),
    }),
    output: arr(invoice),
    handler: listInvoices,
  },
  {
    name: "billing.get_invoice",
    description: "Gets an invoice with its line items.",
    input: obj({ invoice: str("Invoice ID.") }),
    output: extend(invoice, { lines: arr(obj({ description: str(), quantity: int(), amount: cents("Line total") })) }),
    handler: (input) => {
      const found = INVOICES.find((i) => i.id === input.invoice);
      if (!found) throw new Error(`No such invoice: '${input.invoice}'`);
      const total = Number(found.amount_due) + Number(found.amount_paid);
      return { ...found, lines: [{ description: "Subscription seats", quantity: 1, amount: total }] };
    },
  },
  {
    name: "billing.send_invoice",
    description: "E-mails an open invoice (again) to the customer's billing address.",
    input: obj({ invoice: str("Invoice ID.") }),
    output: obj({ id: str(), status: str(), sent_to: str() }),
    handler: (input) => {
      const found = INVOICES.find((i) => i.id === input.invoice);
      if (!found || found.status !== "open") throw new Error(`Invoice ${input.invoice} is not open`);
      return { id: found.id, status: "open", sent_to: found.customer_email };
    },
  },
  {
    name: "billing.list_subscriptions",
    description: "Lists a customer's subscriptions.",
    input: obj({ customer: str("Customer ID."), status: opt(enm(["active", "past_due", "canceled", "all"])) }),
    output: arr(subscription),
    handler: (input) =>
      subscriptionsOf(findCustomer(input.customer).id)
        .filter((s) => !input.status || input.status === "all" || s.status === input.status),
  },
  {
    name: "billing.cancel_subscription",
    description: "Cancels a subscription now, or at the end of the current period.",
    input: obj({ subscription: str(), at_period_end: opt(bool("Default true.")) }),
    output: subscription,
    handler: (input) => {
      const found = CUSTOMERS.flatMap((c) => subscriptionsOf(c.id)).find((s) => s.id === input.subscription);
      if (!found) throw new Error(`No such subscription: '${input.subscription}'`);
      const atEnd = input.at_period_end ?? true;
      return { ...found, status: atEnd ? found.status : "canceled", cancel_at_period_end: atEnd };
    },
  },
  {
    name: "billing.list_charges",
    description: "Lists a customer's card charges, newest first.",
    input: obj({ customer: str("Customer ID."), limit: opt(int("1-100. Default 10.", { minimum: 1, maximum: 100 })) }),
    output: arr(
      obj({ id: str(), amount: cents("Amount"), status: enm(["succeeded", "failed"]), created: str(), invoice: str() }),
    ),
    handler: (input) =>
      INVOICES.filter((i) => i.customer === findCustomer(input.customer).id && i.status === "paid")
        .slice(0, input.limit ?? 10)
        .map((i) => ({
          id: `ch_${hashOf(String(i.id))}`,
          amount: i.amount_paid,
          status: "succeeded",
          created: i.created,
          invoice: i.id,
        })),
  },
  {
    name: "billing.create_refund",
    description: "Refunds a charge in full or in part.",
    input: obj({
      charge: str("Charge ID."),
      amount: opt(cents("Amount to refund; default the whole charge")),
      reason: opt(enm(["duplicate", "fraudulent", "requested_by_customer"])),
    }),
    output: obj({ id: str(), charge: str(), amount: cents("Refunded"), status: enm(["pending", "succeeded"]) }),
    handler: (input) => ({
      id: `re_${hashOf(input.charge)}`,
      charge: input.charge,
      amount: input.amount ?? 0,
      status: "pending",
    }),
  },
  {
    name: "billing.get_balance",
    description: "Gets the account's available and pending balance.",
    input: obj({}),
    output: obj({
      available: arr(obj({ amount: cents("Amount"), currency: str() })),
      pending: arr(obj({ amount: cents("Amount"), currency: str() })),
    }),
    handler: () => {
      const paid = INVOICES.reduce((sum, i) => sum + Number(i.amount_paid), 0);
      return {
        available: [{ amount: paid, currency: "usd" }],
        pending: [{ amount: Math.round(paid / 20), currency: "usd" }],
      };
    },
  },
];
