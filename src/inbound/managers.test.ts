import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInboundTestApp, type InboundTestApp, worker } from '../../test/inbound.ts';

let t: InboundTestApp;

beforeAll(async () => {
  t = await createInboundTestApp();
});
afterAll(async () => {
  await t.close();
});

async function managerOf(employeeId: string): Promise<string | null> {
  const user = await t.getUserByEmployeeId(employeeId);
  return (user?.managerId as string | null | undefined) ?? null;
}

async function idOf(employeeId: string): Promise<string> {
  const user = await t.getUserByEmployeeId(employeeId);
  if (!user) throw new Error(`no user ${employeeId}`);
  return user.id as string;
}

describe('manager references resolve whatever the arrival order', () => {
  it('a manager who already exists is linked at once', async () => {
    await t.settle((await t.bulkUpload([worker('M1')])).id);
    const done = await t.settle((await t.bulkUpload([worker('M2', { manager: 'M1' })])).id);
    expect(done.operations[0]?.status).toBe('created');
    expect(await managerOf('M2')).toBe(await idOf('M1'));
  });

  it('a report that arrives before its manager is linked as soon as the manager exists', async () => {
    const first = await t.settle(
      (await t.bulkUpload([worker('R1', { manager: 'B1' }), worker('R2', { manager: 'B1' })])).id,
    );
    expect(first.operations.map((o) => o.status)).toEqual(['created', 'created']);
    expect(await managerOf('R1')).toBeNull();
    const logs = await t.call('GET', '/api/v1/inbound/logs?person=R1', { token: t.admin });
    const entry = (
      (await logs.json()) as {
        items: {
          provisioningSteps: { provisioningStepType: string; status: string; description: string }[];
        }[];
      }
    ).items[0];
    expect(
      entry?.provisioningSteps.find((s) => s.provisioningStepType === 'referenceResolution'),
    ).toMatchObject({
      status: 'warning',
      description: 'Manager "B1" is not in the directory yet: linked as soon as they arrive',
    });
    await t.settle((await t.bulkUpload([worker('B1')])).id);
    const boss = await idOf('B1');
    expect(await managerOf('R1')).toBe(boss);
    expect(await managerOf('R2')).toBe(boss);
  });

  it('a report listed before its manager in the same request is linked in that request', async () => {
    await t.settle(
      (await t.bulkUpload([worker('R3', { manager: 'B3' }), worker('B3', { manager: 'M1' })])).id,
    );
    expect(await managerOf('R3')).toBe(await idOf('B3'));
    expect(await managerOf('B3')).toBe(await idOf('M1'));
  });

  it('a chain uploaded bottom-up across requests ends fully linked', async () => {
    for (const [id, manager] of [
      ['C4', 'C3'],
      ['C3', 'C2'],
      ['C2', 'C1'],
      ['C1', null],
    ] as const) {
      await t.settle((await t.bulkUpload([worker(id, manager ? { manager } : {})])).id);
    }
    expect(await managerOf('C4')).toBe(await idOf('C3'));
    expect(await managerOf('C3')).toBe(await idOf('C2'));
    expect(await managerOf('C2')).toBe(await idOf('C1'));
  });

  it('a changed manager moves the report; a null manager clears it', async () => {
    await t.settle((await t.bulkUpload([worker('R3', { manager: 'M1' })])).id);
    expect(await managerOf('R3')).toBe(await idOf('M1'));
    const done = await t.settle((await t.bulkUpload([worker('R3', { manager: null })])).id);
    expect(done.operations[0]?.changed.map((c) => c.attribute)).toEqual(['managerId']);
    expect(await managerOf('R3')).toBeNull();
  });

  it('a waiting link is dropped when the report is given another, existing manager', async () => {
    await t.settle((await t.bulkUpload([worker('R5', { manager: 'GHOST' })])).id);
    await t.settle((await t.bulkUpload([worker('R5', { manager: 'M1' })])).id);
    await t.settle((await t.bulkUpload([worker('GHOST')])).id);
    expect(await managerOf('R5')).toBe(await idOf('M1'));
  });

  it('a manager loop fails only the record that would close it', async () => {
    await t.settle((await t.bulkUpload([worker('L1'), worker('L2', { manager: 'L1' })])).id);
    const done = await t.settle((await t.bulkUpload([worker('L1', { manager: 'L2' }), worker('L9')])).id);
    expect(done.operations.map((o) => o.status)).toEqual(['failed', 'created']);
    expect(done.operations[0]?.error?.code).toBe('directory.manager_cycle');
    expect(await managerOf('L1')).toBeNull();
  });
});
