/** Every route of the dashboard, and which guard protects it. */
import { lazy } from 'react'
import { createBrowserRouter, Navigate } from 'react-router'
import { homePath } from './auth/homePath.ts'
import { RequireAdmin } from './auth/RequireAdmin.tsx'
import { RequireSession } from './auth/RequireSession.tsx'
import { useSession } from './auth/SessionContext.ts'
import { AppLayout } from './layout/AppLayout.tsx'
import { AgentDetailPage } from './pages/agents/AgentDetailPage.tsx'
import { AgentsPage } from './pages/agents/AgentsPage.tsx'
import { ApiTokensPage } from './pages/apiTokens/ApiTokensPage.tsx'
import { AuditLogPage } from './pages/auditLog/AuditLogPage.tsx'
import { CrashPage } from './pages/CrashPage.tsx'
import { LoginPage } from './pages/LoginPage.tsx'
import { NotFoundPage } from './pages/NotFoundPage.tsx'
import { OverviewPage } from './pages/overview/OverviewPage.tsx'
import { ProfilePage } from './pages/ProfilePage.tsx'
import { PortForwardsPage } from './pages/portForwards/PortForwardsPage.tsx'
import { ServiceTemplatesPage } from './pages/serviceTemplates/ServiceTemplatesPage.tsx'
import { TunnelClientPage } from './pages/tunnels/TunnelClientPage.tsx'
import { TunnelServerPage } from './pages/tunnels/TunnelServerPage.tsx'
import { TunnelsPage } from './pages/tunnels/TunnelsPage.tsx'
import { UsersPage } from './pages/users/UsersPage.tsx'

const vpnPages = () => import('./pages/vpnPages.ts')
const MyDevicesPage = lazy(() => vpnPages().then((m) => ({ default: m.MyDevicesPage })))
const DeviceDetailPage = lazy(() => vpnPages().then((m) => ({ default: m.DeviceDetailPage })))
const AdminDevicesPage = lazy(() => vpnPages().then((m) => ({ default: m.AdminDevicesPage })))
const RulesPage = lazy(() => vpnPages().then((m) => ({ default: m.RulesPage })))
const VpnSettingsPage = lazy(() => vpnPages().then((m) => ({ default: m.VpnSettingsPage })))

function HomeRedirect() {
  return <Navigate to={homePath(useSession().role)} replace />
}

export const router = createBrowserRouter([
  { path: '/login', element: <LoginPage />, errorElement: <CrashPage /> },
  {
    path: '/',
    element: (
      <RequireSession>
        <AppLayout />
      </RequireSession>
    ),
    errorElement: <CrashPage />,
    children: [
      { index: true, element: <HomeRedirect /> },
      {
        path: 'overview',
        element: (
          <RequireAdmin>
            <OverviewPage />
          </RequireAdmin>
        ),
      },
      {
        path: 'agents',
        element: (
          <RequireAdmin>
            <AgentsPage />
          </RequireAdmin>
        ),
      },
      {
        path: 'agents/:id',
        element: (
          <RequireAdmin>
            <AgentDetailPage />
          </RequireAdmin>
        ),
      },
      {
        path: 'tunnel-servers',
        element: (
          <RequireAdmin>
            <TunnelsPage />
          </RequireAdmin>
        ),
      },
      {
        path: 'tunnel-servers/:id',
        element: (
          <RequireAdmin>
            <TunnelServerPage />
          </RequireAdmin>
        ),
      },
      // Clients are listed under their servers; there is no page of clients alone.
      { path: 'tunnel-clients', element: <Navigate to="/tunnel-servers" replace /> },
      {
        path: 'tunnel-clients/:id',
        element: (
          <RequireAdmin>
            <TunnelClientPage />
          </RequireAdmin>
        ),
      },
      {
        path: 'port-forwards',
        element: (
          <RequireAdmin>
            <PortForwardsPage />
          </RequireAdmin>
        ),
      },
      {
        path: 'service-templates',
        element: (
          <RequireAdmin>
            <ServiceTemplatesPage />
          </RequireAdmin>
        ),
      },
      {
        path: 'users',
        element: (
          <RequireAdmin>
            <UsersPage />
          </RequireAdmin>
        ),
      },
      // Every signed-in user's own devices; a device's page is theirs, or any device for an admin.
      { path: 'devices', element: <MyDevicesPage /> },
      { path: 'devices/:id', element: <DeviceDetailPage /> },
      {
        path: 'admin/devices',
        element: (
          <RequireAdmin>
            <AdminDevicesPage />
          </RequireAdmin>
        ),
      },
      {
        path: 'rules',
        element: (
          <RequireAdmin>
            <RulesPage />
          </RequireAdmin>
        ),
      },
      {
        path: 'settings/vpn',
        element: (
          <RequireAdmin>
            <VpnSettingsPage />
          </RequireAdmin>
        ),
      },
      {
        path: 'audit-log',
        element: (
          <RequireAdmin>
            <AuditLogPage />
          </RequireAdmin>
        ),
      },
      { path: 'api-tokens', element: <ApiTokensPage /> },
      { path: 'profile', element: <ProfilePage /> },
    ],
  },
  // Outside the session guard, so an unknown address reads "not found" whether or not one is signed in.
  { path: '*', element: <NotFoundPage /> },
])
