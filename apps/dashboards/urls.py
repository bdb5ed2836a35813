from django.urls import path

from . import account_views, report_views, views

app_name = "dashboards"
urlpatterns = [
    path("dashboard/", views.dashboard_home, name="home"),
    path("dashboard/learner/", views.learner_home, name="learner"),
    path("dashboard/mentor/", views.mentor_home, name="mentor"),
    path("dashboard/admin/", views.admin_home, name="admin"),
    path("dashboard/admin/mentors/", account_views.admin_mentors, name="admin_mentors"),
    path("dashboard/admin/mentors/<int:pk>/decide/", account_views.admin_mentor_decide, name="admin_mentor_decide"),
    path("dashboard/admin/users/", account_views.admin_users, name="admin_users"),
    path("dashboard/admin/audit/", account_views.admin_audit, name="admin_audit"),
    path("dashboard/admin/payments/", account_views.admin_payments, name="admin_payments"),
    path("dashboard/admin/payments/<str:receipt>/", account_views.admin_payment, name="admin_payment"),
    path("dashboard/admin/feedback/", account_views.admin_feedback, name="admin_feedback"),
    path(
        "dashboard/admin/feedback/<int:pk>/", account_views.admin_feedback_visibility, name="admin_feedback_visibility"
    ),
    path("dashboard/admin/sessions/", account_views.admin_sessions, name="admin_sessions"),
    path("dashboard/admin/sessions/<int:pk>/cancel/", account_views.admin_session_cancel, name="admin_session_cancel"),
    path("dashboard/admin/users/<int:pk>/", account_views.admin_user, name="admin_user"),
    path("dashboard/admin/users/<int:pk>/block/", account_views.admin_user_block, name="admin_user_block"),
    path("dashboard/admin/users/<int:pk>/feature/", account_views.admin_user_feature, name="admin_user_feature"),
    path("dashboard/admin/reports/", report_views.admin_reports, name="admin_reports"),
    path("dashboard/admin/reports/<int:year>-<int:month>.csv", report_views.admin_report_csv, name="admin_report_csv"),
    path("dashboard/admin/reports/<int:year>-<int:month>.pdf", report_views.admin_report_pdf, name="admin_report_pdf"),
    path("profile/delete/", account_views.delete_account, name="delete_account"),
]
