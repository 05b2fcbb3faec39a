export const ROLES = ['admin', 'hr_legal', 'marketing'] as const;
export type Role = (typeof ROLES)[number];

export interface StaffPrincipal {
  keyId: string;
  keyName: string;
  role: Role;
}
