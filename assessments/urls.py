from django.urls import path

from assessments import action_views, member_views, organisation_views, share_views, team_views, transfer_views, views

app_name = "assessments"
urlpatterns = [
    path("", team_views.home, name="home"),
    path("teams/<int:team_id>/", team_views.team_detail, name="team"),
    path("teams/<int:team_id>/assessments/new/", team_views.start_assessment, name="start_assessment"),
    path("teams/<int:team_id>/import/", transfer_views.import_assessment, name="import_assessment"),
    path("teams/<int:team_id>/members/", member_views.members, name="members"),
    path("teams/<int:team_id>/members/<int:membership_id>/remove/", member_views.remove_member, name="remove_member"),
    path(
        "teams/<int:team_id>/invitations/<int:invitation_id>/revoke/",
        member_views.revoke_invitation,
        name="revoke_invitation",
    ),
    path("teams/<int:team_id>/actions/", action_views.actions, name="actions"),
    path("teams/<int:team_id>/actions/<int:action_id>/", action_views.update_action, name="update_action"),
    path("teams/<int:team_id>/history/", team_views.history, name="history"),
    path("teams/<int:team_id>/compare/", team_views.compare, name="compare"),
    path("organisations/<slug:slug>/", organisation_views.organisation_overview, name="organisation"),
    path("invitations/<str:token>/", member_views.accept_invitation, name="accept_invitation"),
    path("assessments/<int:pk>/", views.overview, name="overview"),
    path("assessments/<int:pk>/challenges/<slug:challenge_slug>/", views.questionnaire, name="questionnaire"),
    path(
        "assessments/<int:pk>/challenges/<slug:challenge_slug>/practices/<slug:practice_slug>/",
        views.save_practice,
        name="save_practice",
    ),
    path("assessments/<int:pk>/submit/", views.submit, name="submit"),
    path("assessments/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("assessments/<int:pk>/delete/", views.delete, name="delete"),
    path("assessments/<int:pk>/restore/", views.restore, name="restore"),
    path("assessments/<int:pk>/plan/<slug:tracker>/", views.plan_file, name="plan_file"),
    path("assessments/<int:pk>/results/", views.results, name="results"),
    path("assessments/<int:pk>/plan/<slug:practice_slug>/track/", views.track_action, name="track_action"),
    path("assessments/<int:pk>/audit/", views.audit, name="audit"),
    path("assessments/<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
    path("assessments/<int:pk>/export.json", views.export_json, name="export_json"),
    path("assessments/<int:pk>/export.csv", views.export_csv, name="export_csv"),
    path("assessments/<int:pk>/export/assessment.json", transfer_views.export_document, name="export_document"),
    path("assessments/<int:pk>/share/", share_views.create, name="share_create"),
    path("assessments/<int:pk>/share/<int:link_id>/revoke/", share_views.revoke, name="share_revoke"),
    path("shared/<str:token>/", share_views.shared_results, name="shared_results"),
    path("shared/<str:token>/report.pdf", share_views.shared_report, name="shared_report"),
]
