// The HR population of the inbound benchmark: N people, deterministic (seeded), as Entra's API-driven
// provisioning sends them (SCIM users in 50-operation BulkRequests), in three versions:
//   a – the initial load;
//   b – the same people, every 10th one moved (title and department);
//   c – everyone changed (another title and department than in a and b).
// Managers: person 0 and ~2% of the others have none; most people report to an earlier person (in
// order); every 20th person (i % 20 === 7) reports to a later one (out of order: the report may arrive
// first and is linked when the manager does). Those late-linked people manage nobody, so the graph
// has no cycle whatever the order of arrival.
import { seededRandom } from './support.ts';

export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const JOINERY = 'urn:ietf:params:scim:schemas:extension:joinery:2.0:User';
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

export type Phase = 'a' | 'b' | 'c';
export const phases: readonly Phase[] = ['a', 'b', 'c'];
export const phaseTitle: Record<Phase, string> = {
  a: 'a initial load',
  b: 'b re-sync 10% changed',
  c: 'c all changed',
};

const givenNames = (
  'Camille Louis Emma Hugo Lea Jules Chloe Gabriel Manon Arthur Ines Adam Sarah Raphael Alice Paul ' +
  'Lina Nathan Julia Lucas Zoe Ethan Anna Noah Eva Tom Rose Leo Jade Victor Nina Samuel Clara'
).split(' ');
const familyNames = (
  'Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre ' +
  'Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard Andre Lefevre Mercier Dupont'
).split(' ');
const departments = [
  'Finance',
  'Engineering',
  'Sales',
  'Marketing',
  'Human Resources',
  'Operations',
  'Legal',
  'Support',
];
const titles = ['Analyst', 'Engineer', 'Senior Engineer', 'Account Executive', 'Manager', 'Consultant'];
const divisions = ['Corporate', 'Products', 'Field', 'Services'];

export interface Person {
  externalId: string;
  userName: string;
  givenName: string;
  familyName: string;
  displayName: string;
  userType: 'Employee' | 'Contractor';
  title: number;
  department: number;
  division: string;
  costCenter: string;
  hireDate: string;
  /** Index of the manager, or null. */
  manager: number | null;
}

const pad = (i: number) => String(i).padStart(7, '0');
export const externalIdOf = (i: number) => `HR-${pad(i)}`;

/** True for the people whose manager comes later in the feed (they manage nobody). */
const reportsForward = (i: number) => i % 20 === 7;

function managerOf(i: number, count: number): number | null {
  if (i === 0 || i % 50 === 49) return null;
  if (reportsForward(i)) {
    let j = i + 1 + ((i * 37) % 400);
    if (reportsForward(j)) j += 1;
    if (j < count) return j;
  }
  // An earlier person who is not a forward reporter: a tree of about 8 reports per manager.
  let m = Math.floor(i / 8);
  if (reportsForward(m)) m -= 1;
  return m;
}

export function makePeople(count: number): Person[] {
  const random = seededRandom(20_250_101);
  const pick = (n: number) => Math.floor(random() * n);
  const people: Person[] = [];
  for (let i = 0; i < count; i++) {
    const givenName = givenNames[pick(givenNames.length)] as string;
    const familyName = familyNames[pick(familyNames.length)] as string;
    const hire = new Date(Date.UTC(2005 + pick(20), pick(12), 1 + pick(28)));
    people.push({
      externalId: externalIdOf(i),
      userName: `${givenName}.${familyName}.${i}@acme.example`.toLowerCase(),
      givenName,
      familyName,
      displayName: `${givenName} ${familyName}`,
      userType: random() < 0.85 ? 'Employee' : 'Contractor',
      title: pick(titles.length),
      department: pick(departments.length),
      division: divisions[pick(divisions.length)] as string,
      costCenter: `CC-${100 + pick(400)}`,
      // A local date-time without offset, as HR systems send it (Joinery reads it as UTC).
      hireDate: hire.toISOString().slice(0, 19),
      manager: managerOf(i, count),
    });
  }
  return people;
}

/** True when phase b changes this person (every 10th). */
export const movedInB = (i: number) => i % 10 === 0;

/** Title and department of person i in a phase. */
export function jobOf(p: Person, i: number, phase: Phase): { title: string; department: string } {
  const title = titles[p.title] as string;
  const dept = (shift: number) => departments[(p.department + shift) % departments.length] as string;
  if (phase === 'a' || (phase === 'b' && !movedInB(i))) return { title, department: dept(0) };
  if (phase === 'b') return { title: `Lead ${title}`, department: dept(1) };
  return { title: `Principal ${title}`, department: dept(3) };
}

/** How many records of a phase end created, updated and unchanged. */
export function expectedCounts(count: number, phase: Phase): Record<string, number> {
  if (phase === 'a') return { created: count };
  if (phase === 'c') return { updated: count };
  const moved = Math.ceil(count / 10);
  return count - moved > 0 ? { updated: moved, unchanged: count - moved } : { updated: moved };
}

export function expectedStatus(i: number, phase: Phase): string {
  if (phase === 'a') return 'created';
  if (phase === 'c') return 'updated';
  return movedInB(i) ? 'updated' : 'unchanged';
}

/** Person i as a SCIM user (the shape Entra's API-driven provisioning documents). */
export function scimUser(people: readonly Person[], i: number, phase: Phase): Record<string, unknown> {
  const p = people[i] as Person;
  const job = jobOf(p, i, phase);
  const enterprise: Record<string, unknown> = {
    employeeNumber: p.externalId,
    department: job.department,
    costCenter: p.costCenter,
    organization: 'Acme SAS',
    division: p.division,
  };
  if (p.manager !== null) enterprise.manager = { value: externalIdOf(p.manager) };
  return {
    schemas: [CORE, ENTERPRISE, JOINERY],
    externalId: p.externalId,
    userName: p.userName,
    name: { givenName: p.givenName, familyName: p.familyName },
    displayName: p.displayName,
    title: job.title,
    emails: [{ value: p.userName, type: 'work', primary: true }],
    userType: p.userType,
    active: true,
    [ENTERPRISE]: enterprise,
    [JOINERY]: { employeeHireDate: p.hireDate, usageLocation: 'FR' },
  };
}

/** One bulkUpload body per `size` people, in feed order, encoded once before the clock starts. */
export function bulkBodies(people: readonly Person[], phase: Phase, size: number): Buffer[] {
  const bodies: Buffer[] = [];
  for (let start = 0; start < people.length; start += size) {
    const operations = [];
    for (let i = start; i < Math.min(people.length, start + size); i++) {
      operations.push({ method: 'POST', bulkId: `p${i}`, path: '/Users', data: scimUser(people, i, phase) });
    }
    bodies.push(Buffer.from(JSON.stringify({ schemas: [BULK], Operations: operations, failOnErrors: null })));
  }
  return bodies;
}
